using System.Collections.Concurrent;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>
/// The pacer's send slot kept at the start of the transaction (the transport's call to the request's gate, just before
/// MAIL FROM), on fake time: a connection that takes long to get ready does not shorten the gap to the next transaction.
/// </summary>
public sealed class TransactionGateTests
{
    private static readonly DateTimeOffset T0 = MailRelay.Tests.Queue.SpoolFixtures.Start;

    [Theory]
    [InlineData("""{"gmail.com":{"rate":"1/1s"}}""", false)]
    [InlineData("""{"gmail.com":{"delayMs":1000}}""", false)]
    [InlineData("{}", true)]
    public async Task A_slow_connection_for_one_transaction_does_not_shorten_the_gap_to_the_next(string limits, bool adaptive)
    {
        await using var harness = new SchedulerHarness(pacing: PacingFixtures.Registry(
            adaptiveDefaults: """{"initialDelay":1000,"minDelay":1000,"maxDelay":1000}""", adaptive: adaptive, rateLimit: true, rateLimitDomains: limits));
        var gates = new ConcurrentQueue<Task>();
        var starts = new ConcurrentQueue<DateTimeOffset>();
        var connecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Transport.BeforeReply = async (request, cancellationToken) =>
        {
            if (gates.IsEmpty && !connecting.Task.IsCompleted)
            {
                // The first transaction's connection takes 300 ms to greet and answer EHLO.
                var setup = Task.Delay(TimeSpan.FromMilliseconds(300), harness.Time, cancellationToken);
                connecting.SetResult();
                await setup;
            }

            var gate = request.Gate!.WaitToStartAsync(cancellationToken).AsTask();
            gates.Enqueue(gate);
            await gate;
            starts.Enqueue(harness.Time.GetUtcNow());
            request.Gate.MailFromSent();
        };
        await harness.StartAsync();
        await harness.SubmitAsync("app@example.com", "one@gmail.com");
        await harness.SubmitAsync("app@example.com", "two@gmail.com");

        await connecting.Task.WaitAsync(SchedulerEvents.Timeout);
        harness.Time.Advance(TimeSpan.FromMilliseconds(300));
        await harness.Events.NextAttemptAsync();
        Assert.Equal([T0.AddMilliseconds(300)], starts);

        // The second transaction's connection is ready at its slot (a reused one): the gate holds it back.
        harness.Time.Advance(TimeSpan.FromMilliseconds(700));
        await WaitForAsync(() => gates.Count == 2);
        Assert.False(gates.Last().IsCompleted, "the second transaction started less than a second after the first");
        harness.Time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(gates.Last().IsCompleted, "the second transaction started less than a second after the first");
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.Events.NextAttemptAsync();

        Assert.Equal([T0.AddMilliseconds(300), T0.AddMilliseconds(1300)], starts);
    }

    /// <summary>Waits for a condition other threads make true, with a deadline.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + SchedulerEvents.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Yield();
        }
    }
}
