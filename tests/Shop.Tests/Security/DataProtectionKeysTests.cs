using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Shop.Tests.Infrastructure;

namespace Shop.Tests.Security;

/// <summary>The data-protection keys in the shop's database, encrypted with the deployment's certificate when it gives one.</summary>
public sealed class DataProtectionKeysTests
{
    [Fact]
    public async Task Without_a_certificate_the_key_behind_a_posted_form_is_in_the_shops_database()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe);
        using var visitor = app.NewSession();

        var added = await visitor.AddToCartAsync("canvas-tote");

        Assert.Equal(HttpStatusCode.Redirect, added.Status);
        await using var db = app.OpenDatabase();
        Assert.Contains("<masterKey", Assert.Single(await db.DataProtectionKeys.ToListAsync()).Xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_certificate_the_key_is_stored_encrypted_and_forms_protected_with_it_are_accepted()
    {
        var folder = Directory.CreateTempSubdirectory("shop-keys-");
        var pfx = Path.Combine(folder.FullName, "keys.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Shop data-protection keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx password"));
        }

        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = pfx,
            ["DataProtection:CertificatePassword"] = "pfx password",
        });
        using var visitor = app.NewSession();

        var added = await visitor.AddToCartAsync("canvas-tote");

        Assert.Equal(HttpStatusCode.Redirect, added.Status);
        await using var db = app.OpenDatabase();
        var xml = Assert.Single(await db.DataProtectionKeys.ToListAsync()).Xml;
        Assert.Contains("<EncryptedData", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        folder.Delete(recursive: true);
    }

    [Fact]
    public void A_certificate_that_cannot_be_loaded_stops_start_up_with_a_message_naming_the_key()
    {
        using var stripe = new StripeStub();
        using var app = new ShopApp(stripe, new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = "/nonexistent/keys.pfx" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("DataProtection:CertificatePath /nonexistent/keys.pfx could not be loaded", error.ToString(), StringComparison.Ordinal);
    }
}
