namespace Shop.Web.Orders;

/// <summary>
/// Where an order's payment stands, derived from Stripe's facts about it (see Payments/Events/PaymentDerivation): the
/// order's status, what was paid and refunded, why the last attempt failed, and the nearest dispute deadline.
/// </summary>
public sealed record PaymentStanding(
    OrderStatus Status,
    long PaidMinorUnits = 0,
    long RefundedMinorUnits = 0,
    string? FailureMessage = null,
    string? FailureCode = null,
    DateTimeOffset? DisputeEvidenceDueBy = null);
