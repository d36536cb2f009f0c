using ArchUnitNET.Domain;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Shop.Web.Data;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Shop.Tests.Architecture;

/// <summary>The shape of Shop.Web as rules: each failure names the types that break it.</summary>
public sealed class ArchitectureTests
{
    private static readonly System.Reflection.Assembly s_shop = typeof(Program).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture s_architecture = new ArchLoader().LoadAssemblies(s_shop).Build();

    [Fact]
    public void Feature_folders_depend_on_each_other_without_cycles()
    {
        // The DbContext maps every feature's entities, so its own references to them are not a folder's dependency; every
        // other reference counts, the features' uses of the DbContext included. (A fresh load: this changes what it loaded.)
        var architecture = new ArchLoader().LoadAssemblies(s_shop).Build();
        foreach (var context in architecture.Types.Where(IsDbContext))
        {
            context.Dependencies.RemoveAll(dependency => !FeatureFolder(dependency.Target).Equals(FeatureFolder(context)));
        }

        // Our own grouping: ArchUnitNET 0.13.5's Matching("Shop.Web.(*)..") makes Payments.Events a slice apart from Payments.
        var folders = new SliceRuleCreator();
        folders.SetSliceAssignment(new SliceAssignment(FeatureFolder, "feature folders (Shop.Web.<Folder>, with everything below it)"));

        new GivenSlices(folders).Should().BeFreeOfCycles().Check(architecture);
    }

    [Fact]
    public void Features_do_not_depend_on_pages()
    {
        Types().That().ResideInNamespaceMatching(@"^Shop\.Web\.").And().DoNotResideInNamespaceOrBelow("Shop.Web.Pages")
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceOrBelow("Shop.Web.Pages")
            .Because("pages call features, never the other way").Check(s_architecture);
    }

    [Fact]
    public void Only_payments_talks_to_stripe()
    {
        Types().That().ResideInAssembly(s_shop).And().DoNotResideInNamespaceOrBelow("Shop.Web.Payments")
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceOrBelow("Stripe")
            .Because("every Stripe.net call and error type lives in Payments; other features ask Payments").Check(s_architecture);
    }

    [Fact]
    public void Only_offline_mode_uses_the_emulator()
    {
        Types().That().ResideInAssembly(s_shop).And().DoNotResideInNamespaceOrBelow("Shop.Web.OfflineMode")
            .Should().NotDependOnAnyTypesThat().ResideInNamespaceOrBelow("Shop.Emulator")
            .Because("the emulator is a development stand-in, started only by offline mode").Check(s_architecture);
    }

    /// <summary>
    /// The folder a type belongs to: Shop.Web.Payments.Events counts as Payments, and the shop-wide settings at the root
    /// (ShopOptions) are a folder of their own.
    /// </summary>
    private static SliceIdentifier FeatureFolder(IType type) => type.Namespace.FullName.Split('.') switch
    {
        ["Shop", "Web"] => SliceIdentifier.Of("Shop.Web (root)"),
        ["Shop", "Web", var folder, ..] => SliceIdentifier.Of(folder),
        _ => SliceIdentifier.Ignore(),
    };

    private static bool IsDbContext(IType type) =>
        new[] { typeof(ShopDbContext), typeof(SqliteShopDbContext), typeof(PostgreSqlShopDbContext) }
            .Any(context => type.FullName.StartsWith(context.FullName!, StringComparison.Ordinal));
}
