using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using Microsoft.Extensions.Options;
using Shop.Web;
using Shop.Web.Admin;
using Shop.Web.BackgroundWork;
using Shop.Web.Catalog;
using Shop.Web.Checkout;
using Shop.Web.Data;
using Shop.Web.DataMove;
using Shop.Web.Email;
using Shop.Web.OfflineMode;
using Shop.Web.Operations;
using Shop.Web.Payments;
using Shop.Web.Payments.Events;
using Shop.Web.Payments.Reconciliation;
using Shop.Web.Payments.Webhooks;
using Shop.Web.Security;

// A setting that stops the start is printed as one short message naming every failing key, with exit code 1.
ConfigurationErrors.ReportAtExit();

var builder = WebApplication.CreateBuilder(args);

// Shop-wide settings (the currency), checked before the first request.
builder.Services.AddOptions<ShopOptions>().BindConfiguration(ShopOptions.SectionName)
    .PostConfigure(shop => shop.Currency = shop.Currency?.ToLowerInvariant() ?? "")
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<ShopOptions>, ShopOptions.Validator>();
builder.Services.AddSingleton(TimeProvider.System);

// Each feature registers its own services. Offline mode first: it decides where Stripe and SMTP are.
builder.AddOfflineMode();
builder.AddBackgroundWork();
builder.AddShopData();
builder.AddCatalog();
builder.AddStorefront();
builder.AddPayments();
builder.AddPaymentEvents();
builder.AddStripeWebhooks();
builder.AddPaymentReconciliation();
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

// `admin create EMAIL` creates an admin and exits; the web server does not start.
if (AdminCommand.IsInvoked(args))
{
    Environment.ExitCode = await AdminCommand.RunAsync(app.Services, args, Console.In, Console.Out, CancellationToken.None);
    return;
}

// `db copy|backup|restore` moves or keeps the shop's data and exits (src/Shop.Web/DataMove).
if (DatabaseCommand.IsInvoked(args))
{
    Environment.ExitCode = await DatabaseCommand.RunAsync(app.Services, args, Console.Out, CancellationToken.None);
    return;
}

// Every setting checked together before the pipeline reads any: a start with several mistakes names them all.
ConfigurationErrors.ThrowIfAny(app.Services);

app.UseTrustedProxies();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
app.UseShopSecurity();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseOutputCache();
app.MapRazorPages();
app.MapControllers();
app.MapShopHealthChecks();

await app.RunAsync();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
