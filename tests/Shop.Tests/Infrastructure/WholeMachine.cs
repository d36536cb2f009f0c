namespace Shop.Tests.Infrastructure;

/// <summary>
/// Tests that keep the whole machine busy (three shops draining a thousand emails, real leases of seconds): they run
/// alone, after the others, so their load cannot push another test past its real timeouts (Stripe's 2 s, SMTP's), nor
/// another test's load push theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeMachine
{
    public const string Name = "whole machine";
}
