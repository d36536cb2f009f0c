using Microsoft.Extensions.Options;

namespace Shop.Web;

/// <summary>
/// Settings that stop a start, reported the way an operator can act on them: every failing key in one short message on
/// standard error and exit code 1, instead of the first one as an unhandled exception (a stack trace and SIGABRT).
/// </summary>
public static class ConfigurationErrors
{
    /// <summary>
    /// Prints a start's configuration errors as one message and exits with 1, when one escapes Program. Other exceptions
    /// are left to the runtime. Only in the shop's own process: a test host runs Program on a thread of its own, sees the
    /// exception itself, and must never be exited.
    /// </summary>
    public static void ReportAtExit()
    {
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(ConfigurationErrors).Assembly)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is Exception error && Describe(error) is { } message)
            {
                Console.Error.WriteLine(message);
                Environment.Exit(1);
            }
        };
    }

    /// <summary>
    /// Runs every ValidateOnStart check now, before anything reads a setting on its own (the middleware does): their
    /// failures then come together, as one AggregateException, rather than the first one read.
    /// </summary>
    public static void ThrowIfAny(IServiceProvider services) =>
        services.GetService<IStartupValidator>()?.Validate();

    /// <summary>The message for an exception made only of options errors, or null for any other exception.</summary>
    public static string? Describe(Exception error)
    {
        IEnumerable<string> failures = error switch
        {
            OptionsValidationException options => options.Failures,
            AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
                all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures),
            _ => [],
        };
        var distinct = failures.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0 ? null : string.Join(Environment.NewLine, [
            distinct.Count == 1 ? "The shop cannot start; fix this setting:" : $"The shop cannot start; fix these {distinct.Count} settings:",
            .. distinct.Select(f => "  - " + f),
            "Settings come from appsettings.json, user-secrets or environment variables (Smtp__Host for Smtp:Host); README.md lists them all.",
        ]);
    }
}
