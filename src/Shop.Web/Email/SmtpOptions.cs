using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Shop.Web.Email;

public enum SmtpSecurity
{
    /// <summary>Plain SMTP: only for a server on this machine, such as the dev inbox.</summary>
    None,

    /// <summary>Connect in plain text and require STARTTLS before anything is sent (usually port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}

/// <summary>The "Smtp" configuration section: the server customer emails go through, and the outbox sender's pace.</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>Without a host, outside Production, emails stay pending in the outbox until one is configured.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Set together with <see cref="Password"/> to authenticate; leave both empty for a server that needs none.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    public SenderAddress From { get; set; } = new();

    /// <summary>How long one SMTP connect, command or message may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the outbox is checked when nothing in this process signalled a new row.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages claimed at once; also the most a crash can send twice (they are marked sent when the batch ends).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// SMTP connections one instance sends a batch over at once (one more for every 8 messages, up to this), so that the
    /// shop composes the next messages while the server takes the last ones. Keep it within what the server allows a client.
    /// </summary>
    public int Connections { get; set; } = 4;

    /// <summary>
    /// How long after it was queued a message that keeps failing temporarily (4xx, a template error) is marked Failed.
    /// An unreachable server or a refused login never fails a message: the sender waits for it instead.
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Wait after the first failed attempt of a message, and of the sender when the server is unreachable; it doubles with
    /// each further failure, with jitter, up to <see cref="RetryMaxDelay"/>.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a claimed batch belongs to one shop instance without a heartbeat; the sender renews it every quarter of
    /// this while it sends. If the instance dies, another takes the rows at most this long after the last heartbeat (plus
    /// its <see cref="PollInterval"/>); counted by the database's clock on PostgreSQL, so instances' clocks need not agree.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Smtp:From:Address, or outside Production (where it may be left out for the dev inbox) shop@localhost.</summary>
    public string FromAddress => string.IsNullOrWhiteSpace(From.Address) ? "shop@localhost" : From.Address.Trim();

    /// <summary>Message-Ids are made unique under the sender's own domain.</summary>
    public string MessageIdDomain => FromAddress[(FromAddress.LastIndexOf('@') + 1)..];

    public sealed class SenderAddress
    {
        public string? Address { get; set; }

        public string DisplayName { get; set; } = "Shop";
    }

    public sealed class Validator(IHostEnvironment environment) : IValidateOptions<SmtpOptions>
    {
        public ValidateOptionsResult Validate(string? name, SmtpOptions options)
        {
            var errors = new List<string>();
            if (!options.IsConfigured)
            {
                if (environment.IsProduction())
                {
                    errors.Add("Smtp:Host is required in Production, for example smtp.example.com: without it no receipt or payment email reaches a customer.");
                    // Named now too, so that fixing the host does not reveal the next missing key only at the next start.
                    if (string.IsNullOrWhiteSpace(options.From.Address))
                    {
                        errors.Add("Smtp:From:Address is required in Production, for example shop@example.com.");
                    }
                }
            }
            else
            {
                ValidateServer(options, errors);
            }

            ValidatePace(options, errors);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }

        private void ValidateServer(SmtpOptions options, List<string> errors)
        {
            if (options.Port is < 1 or > 65535)
            {
                errors.Add("Smtp:Port must be between 1 and 65535 (587 for StartTls, 465 for SslOnConnect).");
            }

            if (!Enum.IsDefined(options.Security))
            {
                errors.Add("Smtp:Security must be None, StartTls or SslOnConnect.");
            }

            if (string.IsNullOrWhiteSpace(options.Username) != string.IsNullOrWhiteSpace(options.Password))
            {
                errors.Add("Smtp:Username and Smtp:Password must be set together, or both left empty.");
            }

            // Plain SMTP across a network would expose customers' names, addresses and the password.
            if (options.Security == SmtpSecurity.None && environment.IsProduction() && !IsLoopback(options.Host!))
            {
                errors.Add("Smtp:Security None is only allowed for a server on this machine in Production; use StartTls or SslOnConnect.");
            }

            if (string.IsNullOrWhiteSpace(options.From.Address))
            {
                if (environment.IsProduction())
                {
                    errors.Add("Smtp:From:Address is required in Production, for example shop@example.com.");
                }
            }
            else if (!MailboxAddress.TryParse(options.From.Address, out var from) || from.Address != options.From.Address.Trim()
                || !from.Address.Contains('@', StringComparison.Ordinal))
            {
                errors.Add("Smtp:From:Address must be an email address such as shop@example.com.");
            }

            if (string.IsNullOrWhiteSpace(options.From.DisplayName) || options.From.DisplayName.Any(char.IsControl))
            {
                errors.Add("Smtp:From:DisplayName must be a single line of text such as \"Shop\".");
            }
        }

        private static void ValidatePace(SmtpOptions options, List<string> errors)
        {
            if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
            {
                errors.Add("Smtp:Timeout must be a positive time span of at most 00:05:00.");
            }

            if (options.PollInterval <= TimeSpan.Zero || options.PollInterval > TimeSpan.FromHours(1))
            {
                errors.Add("Smtp:PollInterval must be a positive time span of at most 01:00:00.");
            }

            if (options.BatchSize is < 1 or > 1000)
            {
                errors.Add("Smtp:BatchSize must be between 1 and 1000.");
            }

            if (options.Connections is < 1 or > 32)
            {
                errors.Add("Smtp:Connections must be between 1 and 32.");
            }

            if (options.GiveUpAfter < options.RetryMaxDelay || options.GiveUpAfter > TimeSpan.FromDays(30))
            {
                errors.Add("Smtp:GiveUpAfter must be at least Smtp:RetryMaxDelay and at most 30.00:00:00 (default 3.00:00:00).");
            }

            if (options.RetryBaseDelay <= TimeSpan.Zero)
            {
                errors.Add("Smtp:RetryBaseDelay must be a positive time span such as 00:00:05.");
            }

            if (options.RetryMaxDelay < options.RetryBaseDelay)
            {
                errors.Add("Smtp:RetryMaxDelay must be at least Smtp:RetryBaseDelay.");
            }

            // Renewed every quarter lease, a batch always has three quarters of it left, more than the Timeout a message
            // may take; should renewals fail, the batch stops a Timeout before the end, so no other instance takes a row
            // while this one is still sending it.
            if (options.LeaseDuration < options.Timeout * 2)
            {
                errors.Add("Smtp:LeaseDuration must be at least twice Smtp:Timeout.");
            }
        }

        private static bool IsLoopback(string host) =>
            string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
