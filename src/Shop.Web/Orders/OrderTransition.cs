namespace Shop.Web.Orders;

/// <summary>What an event did to an order: applied (and from which status to which), or refused and why.</summary>
public sealed record OrderTransition(bool Applied, OrderStatus From, OrderStatus To, string Description)
{
    public static OrderTransition Moved(OrderStatus from, OrderStatus to, string description) => new(true, from, to, description);

    public static OrderTransition Refused(OrderStatus status, string description) => new(false, status, status, description);

    public bool Changed => Applied && From != To;
}
