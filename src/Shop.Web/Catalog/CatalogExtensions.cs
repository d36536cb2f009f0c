using Microsoft.Extensions.Options;
using Shop.Web.Data;

namespace Shop.Web.Catalog;

public static class CatalogExtensions
{
    /// <summary>The catalog from memory and the output cache of its pages (<c>app.UseOutputCache()</c> serves them).</summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogOptions.Validator>();
        builder.Services.AddSingleton<CatalogService>();
        builder.Services.AddSingleton<IDatabaseSeeder, DemoCatalogSeeder>();
        builder.Services.AddOutputCache(cache => cache.AddPolicy(CatalogPagesCachePolicy.Name, new CatalogPagesCachePolicy()));
        return builder;
    }
}
