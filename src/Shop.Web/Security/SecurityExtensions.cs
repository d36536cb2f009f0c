using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Shop.Web.Security;

public static class SecurityExtensions
{
    public static IHostApplicationBuilder AddShopSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForwardedHeadersSettings>, ForwardedHeadersSettings.Validator>();
        builder.Services.AddSingleton<IConfigureOptions<ForwardedHeadersOptions>, ForwardedHeadersSettings.Apply>();

        builder.AddSharedDataProtectionKeys();
        builder.Services.AddSingleton(ShopCookies.For(builder.Environment, builder.Configuration));
        builder.Services.AddOptions<AntiforgeryOptions>()
            .Configure<ShopCookies>((antiforgery, cookies) => cookies.Apply(antiforgery.Cookie, "shop_antiforgery"));

        builder.Services.AddRateLimiter(limiter =>
        {
            // 429 tells a client it is too fast; the default 503 would read as the shop being down.
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };

            // Only the requests that create orders and PaymentIntents are limited, per client address, against card testing.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!IsPaymentCreation(context.Request))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value;
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter("checkout:" + client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.CheckoutPermitLimit,
                    Window = options.CheckoutWindow,
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    /// <summary>First in the pipeline: the client address and scheme from a configured proxy's headers, for everything after.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        // With empty lists ASP.NET Core's middleware would believe every sender: without configured proxies it stays out.
        var proxies = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value;
        return proxies.KnownProxies.Length == 0 && proxies.KnownNetworks.Length == 0 ? app : app.UseForwardedHeaders();
    }

    public static IApplicationBuilder UseShopSecurity(this IApplicationBuilder app) =>
        app.UseMiddleware<SecurityHeaders>().UseRateLimiter();

    private static bool IsPaymentCreation(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/checkout", StringComparison.OrdinalIgnoreCase);
}
