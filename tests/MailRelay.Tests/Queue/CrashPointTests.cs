using Xunit.Abstractions;

namespace MailRelay.Tests.Queue;

/// <summary>
/// The spool's durability at every crash point (docs/durability.md): a workload runs over a recording file
/// system; for every prefix of its operations each disk state a crash there may leave is rebuilt, a daemon
/// is restarted on it, and what it recovers is checked against what the workload had been told by then,
/// the event outbox included (every recorded outcome has its event; a repeated outcome has the same id).
/// </summary>
public sealed class CrashPointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_crash_point_recovers_acknowledged_mail_and_durable_outcomes_exactly()
    {
        var workload = await CrashPointWorkload.RunAsync();
        await CheckEveryCrashPointAsync(workload);
    }

    /// <summary>
    /// The same with an active window of one message (QUEUE_ACTIVE_LIMIT=1): every message is read back from its
    /// files to be attempted, leaves the window after its attempt, and one deferred message comes back within the
    /// same run when its retry falls due, so the records written around an eviction and a reload are crashed at too.
    /// </summary>
    [Fact]
    public async Task Every_crash_point_recovers_exactly_when_messages_leave_the_active_window_and_come_back()
    {
        var workload = await CrashPointWorkload.RunAsync(activeLimit: 1);

        Assert.Equal(1, workload.LargestWindow);
        Assert.Equal(0, workload.WindowBeforeReload);
        Assert.Equal(3, workload.Operations.Count(o => o.Marker is { Event: CrashPointEvent.ResultGiven, Recipient: "wait@b.example" }));
        await CheckEveryCrashPointAsync(workload);
    }

    private async Task CheckEveryCrashPointAsync(CrashPointWorkload workload)
    {
        var operations = workload.Operations;
        var diskOperations = operations.Count(o => o.Kind != CrashPointKind.Marker);
        var recovered = new Dictionary<string, CrashPointObservation>(StringComparer.Ordinal);
        var violations = new List<string>();
        var crashStates = 0;
        var prefixes = 0;

        // A crash point lies before each disk operation and after the last; the markers set before the next
        // disk operation count as seen (the strictest reading).
        for (var end = 0; end <= operations.Count; end++)
        {
            if (end < operations.Count && operations[end].Kind == CrashPointKind.Marker)
            {
                continue;
            }

            prefixes++;
            var prefix = operations.Take(end).ToList();
            var expectation = new CrashPointExpectation(workload.Messages, prefix.Where(o => o.Marker is not null).Select(o => o.Marker!));
            var eventExpectation = new CrashPointEventExpectation(prefix.Where(o => o.Marker is not null).Select(o => o.Marker!));
            foreach (var state in CrashStateBuilder.StatesAfter(prefix))
            {
                crashStates++;
                if (!recovered.TryGetValue(state.Key, out var observed))
                {
                    recovered[state.Key] = observed = await CrashPointRecovery.RecoverAsync(state);
                }

                violations.AddRange(expectation.Violations(observed).Concat(eventExpectation.Violations(observed)).Select(v =>
                    $"after {prefix.Count(o => o.Kind != CrashPointKind.Marker)} operations ({(end > 0 ? prefix[^1] : "start")}), state [{state}]: {v}"));
            }
        }

        foreach (var operation in operations)
        {
            output.WriteLine(operation.ToString());
        }

        output.WriteLine($"{diskOperations} disk operations, {prefixes} crash points, {crashStates} crash states ({recovered.Count} distinct, each recovered by a restarted daemon)");
        Assert.True(diskOperations > 50, $"the workload recorded only {diskOperations} disk operations");
        Assert.True(crashStates > prefixes, "no crash point has more than one possible state");
        Assert.True(operations.Count(o => o.Kind == CrashPointKind.SyncFile && o.Path.StartsWith("events/", StringComparison.Ordinal)) >= 5, "the workload made few events durable");
        Assert.Contains(recovered.Values, o => o.NewEvents.Count > 0 && o.Events.Count > 0);
        Assert.True(violations.Count == 0, $"{violations.Count} violations:\n{string.Join("\n", violations.Take(30))}");
    }
}
