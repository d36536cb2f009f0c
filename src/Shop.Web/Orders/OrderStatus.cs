namespace Shop.Web.Orders;

public enum OrderStatus
{
    /// <summary>Placed; the customer has not paid yet, or has and the webhook has not arrived.</summary>
    AwaitingPayment,
}
