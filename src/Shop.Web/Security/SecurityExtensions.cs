using System.Globalization;
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
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };

            // Per client address: requests that create orders and PaymentIntents (against card testing), admin sign-ins,
            // and order lookups (against guessing which emails bought here). Nothing else is limited.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var (name, limit, window) = LimitFor(context.Request, context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value);
                if (name is null)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(name + ":" + client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = window,
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

    /// <summary>Which limit a request counts against, if any.</summary>
    private static (string? Name, int Limit, TimeSpan Window) LimitFor(HttpRequest request, RateLimitingOptions options) => request switch
    {
        _ when !HttpMethods.IsPost(request.Method) => (null, 0, TimeSpan.Zero),
        _ when request.Path.StartsWithSegments("/checkout", StringComparison.OrdinalIgnoreCase) =>
            ("checkout", options.CheckoutPermitLimit, options.CheckoutWindow),
        _ when request.Path.StartsWithSegments("/admin/login", StringComparison.OrdinalIgnoreCase) =>
            ("login", options.LoginPermitLimit, options.LoginWindow),
        _ when request.Path.StartsWithSegments("/orders/lookup", StringComparison.OrdinalIgnoreCase) =>
            ("order-lookup", options.OrderLookupPermitLimit, options.OrderLookupWindow),
        _ => (null, 0, TimeSpan.Zero),
    };
}
