namespace Shop.Web.Data;

/// <summary>
/// A feature's rows the database starts with, written by <see cref="DatabaseInitializer"/> after the migrations and under
/// its start-up lock. Must insert only what is absent: every start runs it.
/// </summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(ShopDbContext db, CancellationToken cancellationToken);
}
