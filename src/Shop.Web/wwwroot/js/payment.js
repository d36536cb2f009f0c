// Mounts the Payment Element and confirms the payment. The same script works with Stripe.js and with the local
// emulator's stand-in: only the script URL and keys differ. Card data never touches the shop's server.
(() => {
    const form = document.getElementById("payment-form");
    if (!form || typeof Stripe !== "function") {
        return;
    }

    const message = document.getElementById("payment-message");
    const button = document.getElementById("pay-button");
    const stripe = Stripe(form.dataset.publishableKey);
    const elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
    elements.create("payment").mount("#payment-element");

    const showMessage = (text) => {
        message.textContent = text;
        message.hidden = !text;
    };

    form.addEventListener("submit", async (event) => {
        event.preventDefault();
        button.disabled = true;
        showMessage("");

        // On success Stripe.js navigates to return_url; it only returns here with an error.
        const { error } = await stripe.confirmPayment({
            elements,
            confirmParams: { return_url: form.dataset.returnUrl },
        });

        showMessage(error.type === "card_error" || error.type === "validation_error"
            ? error.message
            : "Something went wrong with the payment. Please try again.");
        button.disabled = false;
    });
})();
