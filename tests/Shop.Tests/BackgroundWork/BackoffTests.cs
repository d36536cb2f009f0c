using Shop.Web.BackgroundWork;

namespace Shop.Tests.BackgroundWork;

public sealed class BackoffTests
{
    private static readonly Backoff s_backoff = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15));

    [Theory]
    [InlineData(1, 5_000)]
    [InlineData(2, 10_000)]
    [InlineData(4, 40_000)]
    [InlineData(9, 900_000)]
    [InlineData(60, 900_000)]
    public void The_delay_doubles_per_failure_and_stops_at_the_cap(int failures, int expectedMilliseconds)
    {
        var delay = s_backoff.Delay(failures, jitter: 0.5);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), delay);
    }

    [Fact]
    public void Jitter_spreads_the_delay_by_a_fifth_either_way()
    {
        var earliest = s_backoff.Delay(2, jitter: 0);
        var latest = s_backoff.Delay(2, jitter: 0.999_999);

        Assert.Equal(TimeSpan.FromSeconds(8), earliest);
        Assert.Equal(12, latest.TotalSeconds, precision: 3);
    }
}
