using System.Security.Cryptography;
using Shop.Web.Common;

namespace Shop.Web.Orders;

/// <summary>
/// An order; its status changes only through its methods. The customer's changes are refused once it is no longer open
/// for payment (<see cref="Revise"/>), an admin's acceptance unless it needs review; <see cref="ApplyPayment"/> takes
/// whatever status the payment facts derive (PaymentDerivation is that rule) and refuses only negative amounts.
/// </summary>
public sealed class Order
{
    public long Id { get; private set; }

    /// <summary>Random, unguessable id used in URLs and in Stripe metadata; the sequential <see cref="Id"/> never leaves the database.</summary>
    public string PublicId { get; private set; } = "";

    public string CustomerEmail { get; private set; } = "";

    public string CustomerName { get; private set; } = "";

    public ShippingAddress ShippingAddress { get; private set; } = null!;

    public string Currency { get; private set; } = "";

    public long TotalMinorUnits { get; private set; }

    public OrderStatus Status { get; private set; }

    public List<OrderLine> Lines { get; private set; } = [];

    /// <summary>Counts creation attempts; part of the creation idempotency key with the hash of its parameters.</summary>
    public int PaymentAttempt { get; private set; } = 1;

    public string? PaymentIntentId { get; private set; }

    /// <summary>Lets the payment page mount the Payment Element without another API call. Never logged.</summary>
    public string? PaymentClientSecret { get; private set; }

    /// <summary>The amount the open PaymentIntent was last created or updated with.</summary>
    public long? PaymentIntentAmount { get; private set; }

    /// <summary>Counts amount updates sent to Stripe; part of the update idempotency key.</summary>
    public int PaymentIntentRevision { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Optimistic concurrency token, incremented by every change.</summary>
    public int Version { get; private set; }

    public Money Total => new(TotalMinorUnits, Currency);

    /// <summary>What Stripe received for the order (amount_received), once its payment is known; 0 before.</summary>
    public long PaidMinorUnits { get; private set; }

    /// <summary>Cumulative amount refunded over the order's charges.</summary>
    public long RefundedMinorUnits { get; private set; }

    /// <summary>Why the last payment attempt failed, in words Stripe writes for customers (never raw internals).</summary>
    public string? PaymentFailureMessage { get; private set; }

    /// <summary>Stripe's decline code or error code of the last failed attempt, for support.</summary>
    public string? PaymentFailureCode { get; private set; }

    /// <summary>When the answer to the nearest open dispute or inquiry is due at Stripe; null without one.</summary>
    public DateTimeOffset? DisputeEvidenceDueBy { get; private set; }

    /// <summary>The payment amount an admin accepted although it does not match the order (a review ended); null before.</summary>
    public long? ReviewAcceptedMinorUnits { get; private set; }

    /// <summary>When the reconciliation job last asked Stripe about this order.</summary>
    public DateTimeOffset? LastReconciledAt { get; private set; }

    /// <summary>The customer may still change the order and pay for it.</summary>
    public bool IsOpenForPayment => Status is OrderStatus.AwaitingPayment or OrderStatus.PaymentFailed;

    public Money Refunded => new(RefundedMinorUnits, Currency);

    /// <summary>Whether the PaymentIntent must be told about a new amount before the customer pays.</summary>
    public bool PaymentIntentAmountIsStale => PaymentIntentId is not null && PaymentIntentAmount != TotalMinorUnits;

    public static Order Place(CustomerDetails customer, IReadOnlyList<OrderLine> lines, string currency, DateTimeOffset now)
    {
        var order = new Order
        {
            PublicId = NewPublicId(),
            Currency = currency,
            Status = OrderStatus.AwaitingPayment,
            CreatedAt = now,
        };
        order.Revise(customer, lines, now);
        return order;
    }

    /// <summary>Replaces the customer details and lines of an order that has not been paid, keeping its PaymentIntent.</summary>
    public void Revise(CustomerDetails customer, IReadOnlyList<OrderLine> lines, DateTimeOffset now)
    {
        if (!IsOpenForPayment)
        {
            throw new InvalidOperationException($"Order {PublicId} is {Status} and can no longer be changed.");
        }

        // No new attempt for new details: the creation key hashes every parameter sent, so it changes with them.
        var total = lines.Aggregate(Money.Zero(Currency), (sum, line) => sum.Plus(line.LineTotal));
        CustomerEmail = customer.Email;
        CustomerName = customer.Name;
        ShippingAddress = customer.ShippingAddress;
        Lines.Clear();
        Lines.AddRange(lines);
        TotalMinorUnits = total.MinorUnits;
        Touch(now);
    }

    /// <summary>
    /// Stripe refused the creation key as used with other parameters (idempotency_error): the next creation goes out
    /// under a new key. A PaymentIntent an earlier attempt may have left at Stripe was never shown to anyone, so nobody pays it.
    /// </summary>
    public void StartNewPaymentAttempt(DateTimeOffset now)
    {
        if (PaymentIntentId is not null)
        {
            throw new InvalidOperationException($"Order {PublicId} already has PaymentIntent {PaymentIntentId}.");
        }

        PaymentAttempt++;
        Touch(now);
    }

    public void AttachPaymentIntent(string paymentIntentId, string clientSecret, long amount, DateTimeOffset now)
    {
        PaymentIntentId = paymentIntentId;
        PaymentClientSecret = clientSecret;
        PaymentIntentAmount = amount;
        Touch(now);
    }

    /// <summary>Reserves the next revision number for an amount update of the PaymentIntent.</summary>
    public int NextPaymentIntentRevision() => PaymentIntentRevision + 1;

    public void RecordPaymentIntentAmount(int revision, long amount, DateTimeOffset now)
    {
        PaymentIntentRevision = revision;
        PaymentIntentAmount = amount;
        Touch(now);
    }

    /// <summary>
    /// Takes the payment standing derived from everything Stripe has said about this order's payment. The status is
    /// never set from one event alone, so events arriving late, twice or out of order all end in the same place; any
    /// status may follow any other (Stripe's money decides, even for an order the shop thought closed). Every call bumps
    /// <see cref="Version"/>: two writers applying news to one order at once cannot both succeed.
    /// </summary>
    public OrderTransition ApplyPayment(PaymentStanding standing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(standing);
        if (standing.RefundedMinorUnits < 0 || standing.PaidMinorUnits < 0)
        {
            throw new ArgumentException("Amounts paid and refunded cannot be negative.", nameof(standing));
        }

        var from = Status;
        Status = standing.Status;
        PaidMinorUnits = standing.PaidMinorUnits;
        RefundedMinorUnits = standing.RefundedMinorUnits;
        PaymentFailureMessage = standing.FailureMessage;
        PaymentFailureCode = standing.FailureCode;
        DisputeEvidenceDueBy = standing.DisputeEvidenceDueBy;
        Touch(now);
        return new OrderTransition(from, Status);
    }

    /// <summary>
    /// An admin accepts the payment Stripe took for this NeedsReview order as it is. Only that amount is accepted: a later
    /// payment of another amount needs a review of its own. The caller derives the status again (it becomes Paid).
    /// </summary>
    public void AcceptReviewedPayment(DateTimeOffset now)
    {
        if (Status != OrderStatus.NeedsReview)
        {
            throw new InvalidOperationException($"Order {PublicId} is {Status}, not NeedsReview.");
        }

        ReviewAcceptedMinorUnits = PaidMinorUnits;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    private static string NewPublicId() =>
        "ord_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}

public sealed class OrderLine
{
    public long Id { get; private set; }

    public int ProductId { get; init; }

    /// <summary>Snapshot of the product's name when the order was placed.</summary>
    public required string ProductName { get; init; }

    /// <summary>Snapshot of the unit price when the order was placed; later catalog changes do not touch it.</summary>
    public long UnitPriceMinorUnits { get; init; }

    public required string Currency { get; init; }

    public int Quantity { get; init; }

    public Money UnitPrice => new(UnitPriceMinorUnits, Currency);

    public Money LineTotal => UnitPrice.Times(Quantity);
}

public sealed class ShippingAddress
{
    public required string Line1 { get; init; }

    public string? Line2 { get; init; }

    public required string City { get; init; }

    public required string PostalCode { get; init; }

    /// <summary>ISO 3166-1 alpha-2 country code, uppercase.</summary>
    public required string Country { get; init; }
}

public sealed record CustomerDetails(string Email, string Name, ShippingAddress ShippingAddress);
