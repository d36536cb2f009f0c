using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;

namespace Shop.Web.Orders;

/// <summary>
/// What a customer who lost the email types to find their order again. Nullable: an empty field binds as null, and the
/// validator, not MVC's implicit "required", says what is missing.
/// </summary>
public sealed class OrderLookupInput
{
    public string? Email { get; set; }

    /// <summary>The order's public id as the emails and the order page show it (ord_…).</summary>
    public string? OrderNumber { get; set; }
}

public sealed class OrderLookupInputValidator : AbstractValidator<OrderLookupInput>
{
    public OrderLookupInputValidator()
    {
        RuleFor(x => x.Email)
            .NotEmpty().WithMessage("Enter the email address you ordered with.")
            .MaximumLength(254).WithMessage("An email address is at most 254 characters.");
        RuleFor(x => x.OrderNumber)
            .NotEmpty().WithMessage("Enter the order number from your email, like ord_1a2b3c….")
            .MaximumLength(40).WithMessage("An order number is at most 40 characters.");
    }
}

/// <summary>Finds an order by its number and the customer's email, both required to match.</summary>
public sealed class OrderLookup(ShopDbContext db)
{
    /// <summary>
    /// The order's public id, or null when no order has this number with this email. One query either way: an unknown
    /// number and a wrong email look the same from outside, so nobody can learn which emails bought here.
    /// </summary>
    public Task<string?> FindAsync(OrderLookupInput input, CancellationToken cancellationToken)
    {
        var publicId = (input.OrderNumber ?? "").Trim().ToLowerInvariant();
        var email = (input.Email ?? "").Trim().ToLowerInvariant();
        // Emails are stored as typed; lower() on either provider compares them without case.
#pragma warning disable CA1304, CA1311, CA1862
        return db.Orders.AsNoTracking().IgnoreAutoIncludes()
            .Where(o => o.PublicId == publicId && o.CustomerEmail.ToLower() == email)
            .Select(o => o.PublicId)
            .FirstOrDefaultAsync(cancellationToken);
#pragma warning restore CA1304, CA1311, CA1862
    }
}
