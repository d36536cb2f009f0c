using FluentValidation;

namespace Shop.Web.Checkout;

public sealed class CheckoutInputValidator : AbstractValidator<CheckoutInput>
{
    /// <summary>Countries the shop ships to (ISO 3166-1 alpha-2), shown in the checkout form.</summary>
    public static readonly IReadOnlyDictionary<string, string> Countries = new Dictionary<string, string>
    {
        ["US"] = "United States", ["CA"] = "Canada", ["GB"] = "United Kingdom", ["IE"] = "Ireland", ["DE"] = "Germany",
        ["FR"] = "France", ["NL"] = "Netherlands", ["ES"] = "Spain", ["IT"] = "Italy", ["JP"] = "Japan", ["AU"] = "Australia",
    };

    public CheckoutInputValidator()
    {
        RuleFor(x => x.Email)
            .NotEmpty().WithMessage("Enter your email address.")
            .MaximumLength(254)
            .EmailAddress().WithMessage("Enter an email address like name@example.com.")
            .Must(BeSingleLine).WithMessage("The email address cannot contain line breaks.");

        RuleFor(x => x.Name)
            .NotEmpty().WithMessage("Enter your name.")
            .MaximumLength(200)
            .Must(BeSingleLine).WithMessage("Your name cannot contain line breaks or control characters.");

        RuleFor(x => x.Line1)
            .NotEmpty().WithMessage("Enter the street address.")
            .MaximumLength(200)
            .Must(BeSingleLine).WithMessage("The address cannot contain line breaks or control characters.");

        RuleFor(x => x.Line2)
            .MaximumLength(200)
            .Must(BeSingleLine).WithMessage("The address cannot contain line breaks or control characters.");

        RuleFor(x => x.City)
            .NotEmpty().WithMessage("Enter the city.")
            .MaximumLength(100)
            .Must(BeSingleLine).WithMessage("The city cannot contain line breaks or control characters.");

        RuleFor(x => x.PostalCode)
            .NotEmpty().WithMessage("Enter the postal code.")
            .MaximumLength(20)
            .Matches("^[A-Za-z0-9][A-Za-z0-9 -]*$").WithMessage("The postal code may contain only letters, digits, spaces and hyphens.");

        RuleFor(x => x.Country)
            .Must(c => c is not null && Countries.ContainsKey(c.Trim().ToUpperInvariant()))
            .WithMessage("Choose a country we ship to.");
    }

    // Names and addresses end up in email headers and bodies: a CR or LF there could inject headers.
    private static bool BeSingleLine(string? value) => value is null || !value.Any(char.IsControl);
}
