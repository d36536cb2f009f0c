// While the payment provider has not confirmed the payment, asks for the order page again every few seconds and, once
// the order has moved on, swaps the new page in and says so in the polite live region #order-live. A meta refresh
// would reload the page under a screen reader's feet every time; the CSP forbids inline scripts, hence this file.
(() => {
    const live = document.getElementById("order-live");
    if (!live || !document.querySelector("[data-awaiting-payment]")) {
        return;
    }

    const intervalMs = 3000;
    const giveUpAfterMs = 10 * 60 * 1000;
    const started = Date.now();
    const statusOf = (root) => root.querySelector("#order-status")?.textContent.trim();

    const showNext = (next) => {
        const nextMain = next.getElementById("order-live")?.parentElement;
        if (!nextMain) {
            return false;
        }

        next.getElementById("order-live").remove();
        while (live.nextSibling) {
            live.nextSibling.remove();
        }
        live.after(...nextMain.childNodes);
        live.textContent = `Order status: ${statusOf(document)}`;
        return true;
    };

    const poll = async () => {
        try {
            const response = await fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" });
            if (response.ok) {
                const next = new DOMParser().parseFromString(await response.text(), "text/html");
                const changed = statusOf(next) !== statusOf(document) || !next.querySelector("[data-awaiting-payment]");
                if (changed && showNext(next) && !document.querySelector("[data-awaiting-payment]")) {
                    return;
                }
            }
        } catch {
            // The network or the shop is away for a moment: the next round asks again.
        }

        if (Date.now() - started < giveUpAfterMs) {
            setTimeout(poll, intervalMs);
        } else {
            live.textContent = "The payment is still not confirmed. Reload the page to check again.";
        }
    };

    setTimeout(poll, intervalMs);
})();
