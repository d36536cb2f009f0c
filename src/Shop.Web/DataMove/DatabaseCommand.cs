using Shop.Web.Data;

namespace Shop.Web.DataMove;

/// <summary>
/// `Shop.Web db copy --to CONNECTION`, `db backup FILE`, `db restore FILE`: moving and keeping the shop's data, run
/// without starting the web server. The shop's database is the configured one (Database:Provider, ConnectionStrings:Shop).
/// </summary>
public static class DatabaseCommand
{
    private const string Usage = """
        Usage: Shop.Web db copy --to "<PostgreSQL connection string>" [--batch ROWS]
               Shop.Web db backup FILE
               Shop.Web db restore FILE
        """;

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == "db";

    /// <returns>The process's exit code: 0 done, 1 refused or failed (and why is written), 2 wrong usage.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
        switch (args)
        {
            case ["db", "copy", "--to", var target]:
                return await new DatabaseCopy(db, output).RunAsync(target, cancellationToken);
            case ["db", "copy", "--to", var target, "--batch", var rows] when int.TryParse(rows, out var batch) && batch > 0:
                return await new DatabaseCopy(db, output, batch).RunAsync(target, cancellationToken);
            case ["db", "backup", var file]:
                return await IShopBackups.For(db, output).BackupAsync(file, cancellationToken);
            case ["db", "restore", var file]:
                return await IShopBackups.For(db, output).RestoreAsync(file, cancellationToken);
            default:
                await output.WriteLineAsync(Usage);
                return 2;
        }
    }
}
