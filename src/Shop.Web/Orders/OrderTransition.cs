namespace Shop.Web.Orders;

/// <summary>Where news about the payment moved an order: from which status to which (the same one when nothing changed).</summary>
public sealed record OrderTransition(OrderStatus From, OrderStatus To)
{
    public bool Changed => From != To;

    public override string ToString() => Changed ? $"{From} → {To}" : $"stays {To}";
}
