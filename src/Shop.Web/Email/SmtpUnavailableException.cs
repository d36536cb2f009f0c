namespace Shop.Web.Email;

/// <summary>The SMTP server could not be reached or refused our login: every waiting email waits for it, none is at fault.</summary>
public sealed class SmtpUnavailableException(string message, Exception innerException) : Exception(message, innerException);
