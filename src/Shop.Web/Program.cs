using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using Shop.Web;
using Shop.Web.Admin;
using Shop.Web.BackgroundWork;
using Shop.Web.Carts;
using Shop.Web.Catalog;
using Shop.Web.Checkout;
using Shop.Web.Data;
using Shop.Web.DataMove;
using Shop.Web.Email;
using Shop.Web.OfflineMode;
using Shop.Web.Operations;
using Shop.Web.Orders;
using Shop.Web.Payments;
using Shop.Web.Security;

// A setting that stops the start is printed as one short message naming every failing key, with exit code 1.
ConfigurationErrors.ReportAtExit();

var builder = WebApplication.CreateBuilder(args);
builder.AddShopOptions(); // the currency and the public address, which every feature reads
builder.Services.AddSingleton(TimeProvider.System); // one clock, which tests replace

// Each feature registers its own services, options and checks. Offline mode first: it decides where Stripe and SMTP are.
builder.AddOfflineMode();
builder.AddBackgroundWork();
builder.AddShopData();
builder.AddCatalog();
builder.AddCart();
builder.AddCheckout();
builder.AddOrders();
builder.AddPayments(); // the gateway, the event core, the webhook and reconciliation
builder.AddCustomerEmails();
builder.AddShopSecurity();
builder.AddShopHealthChecks();
builder.AddShopTelemetry();
builder.AddRetention();
builder.AddAdmin();
builder.Services.AddRazorPages();
// Prices show "¥3,600" and "€12.00" as characters; the default encoder would write them as &#xA5; entities.
builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
builder.Services.AddProblemDetails();

var app = builder.Build();

// `admin create EMAIL` and `db copy|backup|restore` do their work and exit; the web server does not start.
if (AdminCommand.IsInvoked(args) || DatabaseCommand.IsInvoked(args))
{
    Environment.ExitCode = AdminCommand.IsInvoked(args)
        ? await AdminCommand.RunAsync(app.Services, args, Console.In, Console.Out, CancellationToken.None)
        : await DatabaseCommand.RunAsync(app.Services, args, Console.Out, CancellationToken.None);
    return;
}

// Every setting checked together before the pipeline reads any: a start with several mistakes names them all.
ConfigurationErrors.ThrowIfAny(app.Services);

app.UseTrustedProxies(); // first: everything after sees the client's real address and scheme
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
app.UseShopSecurity(); // headers and rate limits
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseOutputCache(); // the catalog's pages
app.MapRazorPages();
app.MapControllers(); // the Stripe webhook
app.MapShopHealthChecks();

await app.RunAsync();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
