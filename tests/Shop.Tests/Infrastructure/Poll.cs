namespace Shop.Tests.Infrastructure;

/// <summary>Waits for something another thread or process does (a row changes, a worker records a pass), never for a clock.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> condition, Func<T, string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail("The expected state was not reached; it is: " + describe(value));
            }

            await Task.Delay(20);
        }
    }

    public static Task<T> UntilAsync<T>(Func<T> read, Func<T, bool> condition, Func<T, string> describe, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(read()), condition, describe, timeout);
}
