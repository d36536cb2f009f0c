using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Shop.Web.Data;

namespace Shop.Web.Security;

/// <summary>
/// The "DataProtection" section: a certificate that encrypts the data-protection keys stored in the shop's database.
/// Without one the keys are stored as they are, readable by whoever can read the database.
/// </summary>
public sealed class DataProtectionSettings
{
    public const string SectionName = "DataProtection";

    /// <summary>One name for every instance: keys are shared only between applications of the same name.</summary>
    public const string ApplicationName = "Shop";

    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Reads the section and loads its certificate while services are registered (data protection takes it then).</summary>
    public static X509Certificate2? ReadCertificate(IConfiguration configuration, string contentRoot)
    {
        var settings = configuration.GetSection(SectionName).Get<DataProtectionSettings>() ?? new DataProtectionSettings();
        if (string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            return string.IsNullOrEmpty(settings.CertificatePassword)
                ? null
                : throw Invalid("DataProtection:CertificatePassword is set without DataProtection:CertificatePath.");
        }

        var path = Path.GetFullPath(settings.CertificatePath, contentRoot);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw Invalid($"DataProtection:CertificatePath {path} could not be loaded as a .pfx with DataProtection:CertificatePassword: {ex.Message}");
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw Invalid($"DataProtection:CertificatePath {path} holds no private key: the shop could encrypt its keys but never read them back.");
    }

    private static OptionsValidationException Invalid(string message) =>
        new(SectionName, typeof(DataProtectionSettings), [message]);
}

public static class DataProtectionKeys
{
    /// <summary>
    /// Data-protection keys (antiforgery tokens, the admin sign-in cookie) in the shop's database, so that every instance
    /// reads what any other protected: a form rendered by one may be posted to the next.
    /// </summary>
    public static IHostApplicationBuilder AddSharedDataProtectionKeys(this IHostApplicationBuilder builder)
    {
        var protection = builder.Services.AddDataProtection()
            .SetApplicationName(DataProtectionSettings.ApplicationName)
            .PersistKeysToDbContext<ShopDbContext>();
        var certificate = DataProtectionSettings.ReadCertificate(builder.Configuration, builder.Environment.ContentRootPath);
        if (certificate is not null)
        {
            protection.ProtectKeysWithCertificate(certificate);
        }
        else
        {
            // Data protection warns "No XML encryptor configured" at each new key (every 90 days), naming no setting.
            // The shop says once at start what it means here and how to change it.
            builder.Logging.AddFilter(typeof(XmlKeyManager).FullName, LogLevel.Error);
            builder.Services.AddHostedService<UnencryptedKeysNotice>();
        }

        return builder;
    }

    private sealed class UnencryptedKeysNotice(IHostEnvironment environment, ILogger<UnencryptedKeysNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            const string message = "Data-protection keys are stored unencrypted in the shop's database: whoever reads it can forge "
                + "admin sign-in cookies. Set DataProtection:CertificatePath (a .pfx) to encrypt them";
            logger.Log(environment.IsProduction() ? LogLevel.Warning : LogLevel.Information, message);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
