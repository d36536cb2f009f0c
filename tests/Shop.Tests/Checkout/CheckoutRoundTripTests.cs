using System.Net;
using System.Text.RegularExpressions;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Checkout;

/// <summary>
/// What checkout asks of the database, step by step (issue 13): a durable commit is the dearest thing a request does, and
/// every connection open also runs the shop's SQLite pragmas. Each cart here holds one product, so that every provider
/// sends the same commands (PostgreSQL batches several lines' inserts into one).
/// </summary>
public sealed partial class CheckoutRoundTripTests : IDisposable
{
    private readonly StripeStub _stripe = new();
    private readonly DatabaseTraffic _traffic = new();
    private readonly ShopApp _app;

    public CheckoutRoundTripTests() => _app = new ShopApp(_stripe, testServices: _traffic.AddTo);

    [Fact]
    public async Task New_checkout_commits_once_before_calling_Stripe_and_once_after()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("canvas-tote", 2);

        var page = await session.CheckoutAsync();

        Assert.Equal(HttpStatusCode.Redirect, page.Status);
        Assert.Equal(
            [
                "open", "read Carts",
                "begin", "write Orders", "write OrderLine", "write Carts", "commit",
                "call POST /v1/payment_intents",
                "open", "write Orders, committed",
            ],
            Steps("POST /checkout"));
    }

    [Fact]
    public async Task A_double_submit_reads_the_cart_and_its_order_once_on_one_connection_and_writes_nothing()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("desk-lamp");
        var first = await session.CheckoutAsync();

        var second = await session.CheckoutAsync();

        Assert.Equal(first.OrderPublicId, second.OrderPublicId);
        Assert.Equal(["open", "read Carts", "read Orders"], Steps("POST /checkout"));
    }

    [Fact]
    public async Task Checkout_form_reads_the_cart_and_its_open_order_on_one_connection()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("desk-lamp");
        await session.CheckoutAsync();

        var form = await session.GetAsync("/checkout");

        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Equal(["open", "read Carts", "read Orders"], Steps("GET /checkout"));
    }

    [Fact]
    public async Task Payment_page_reads_only_the_order_row()
    {
        using var session = _app.NewSession();
        await session.AddToCartAsync("brass-pen");
        var checkout = await session.CheckoutAsync();

        var pay = await session.GetAsync(checkout.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.OK, pay.Status);
        Assert.Equal(["open", "read Orders"], Steps("GET " + checkout.Location!.OriginalString));
        Assert.DoesNotContain(_traffic.OfLast("GET " + checkout.Location!.OriginalString), s => s.Detail?.Contains("\"OrderLine\"", StringComparison.Ordinal) == true);
    }

    public void Dispose()
    {
        _app.Dispose();
        _stripe.Dispose();
    }

    /// <summary>The request's steps as "open", "read Carts", "write Orders", "begin", "commit", "call POST /v1/...".</summary>
    private List<string> Steps(string request) => [.. _traffic.OfLast(request).Select(step => step.Kind switch
    {
        DatabaseStepKind.Open => "open",
        DatabaseStepKind.Begin => "begin",
        DatabaseStepKind.Commit => "commit",
        DatabaseStepKind.Rollback => "rollback",
        DatabaseStepKind.Read => "read " + Table(step.Detail!),
        DatabaseStepKind.Write => "write " + Table(step.Detail!),
        DatabaseStepKind.WriteCommitted => $"write {Table(step.Detail!)}, committed",
        _ => "call " + step.Detail,
    })];

    // The first table a statement names: the one a SELECT reads (EF puts it innermost) or an INSERT or UPDATE writes.
    private static string Table(string sql) => FirstTable().Match(sql).Groups[1].Value;

    [GeneratedRegex("(?:FROM|INTO|UPDATE) \"(\\w+)\"")]
    private static partial Regex FirstTable();
}
