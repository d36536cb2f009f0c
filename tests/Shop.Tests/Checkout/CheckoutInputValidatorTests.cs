using Shop.Web.Checkout;

namespace Shop.Tests.Checkout;

public sealed class CheckoutInputValidatorTests
{
    private readonly CheckoutInputValidator _validator = new();

    private static CheckoutInput Valid() => new()
    {
        Email = "ada@example.com",
        Name = "Ada Lovelace",
        Line1 = "12 St James's Square",
        City = "London",
        PostalCode = "SW1Y 4JH",
        Country = "GB",
    };

    [Fact]
    public void A_complete_address_is_valid() => Assert.True(_validator.Validate(Valid()).IsValid);

    [Theory]
    [InlineData(nameof(CheckoutInput.Email), "")]
    [InlineData(nameof(CheckoutInput.Email), "ada@")]
    [InlineData(nameof(CheckoutInput.Name), "")]
    [InlineData(nameof(CheckoutInput.Name), "Ada\nLovelace")]
    [InlineData(nameof(CheckoutInput.Name), "Ada\rBcc: x@example.com")]
    [InlineData(nameof(CheckoutInput.Line1), "")]
    [InlineData(nameof(CheckoutInput.Line1), "12 Square\r\n")]
    [InlineData(nameof(CheckoutInput.Line2), "Flat 2\n")]
    [InlineData(nameof(CheckoutInput.City), "")]
    [InlineData(nameof(CheckoutInput.PostalCode), "")]
    [InlineData(nameof(CheckoutInput.PostalCode), "SW1<script>")]
    [InlineData(nameof(CheckoutInput.Country), "ZZ")]
    [InlineData(nameof(CheckoutInput.Country), "")]
    public void An_invalid_field_is_reported_against_that_field(string field, string value)
    {
        var input = Valid();
        typeof(CheckoutInput).GetProperty(field)!.SetValue(input, value);

        var result = _validator.Validate(input);

        Assert.Contains(result.Errors, e => e.PropertyName == field);
        Assert.All(result.Errors, e => Assert.Equal(field, e.PropertyName));
    }

    [Fact]
    public void A_name_longer_than_200_characters_is_refused()
    {
        var input = Valid();
        input.Name = new string('a', 201);

        Assert.False(_validator.Validate(input).IsValid);
    }
}
