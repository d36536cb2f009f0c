using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shop.Web.Data;

namespace Shop.Web.Email;

public static class EmailExtensions
{
    /// <summary>Customer emails: the outbox rows the order transitions write are sent over SMTP by a background sender.</summary>
    public static IHostApplicationBuilder AddCustomerEmails(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptions.Validator>();

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.ConfigureDbContext<ShopDbContext>(
            (services, options) => options.AddInterceptors(services.GetRequiredService<OutboxSignal>()), ServiceLifetime.Singleton);
        builder.Services.AddSingleton<CustomerEmailComposer>();
        builder.Services.AddScoped<FailedEmails>();
        builder.Services.AddHostedService<OutboxSender>();
        return builder;
    }
}
