using System.Threading.Channels;
using MailRelay.Delivery;
using MailRelay.Delivery.Scheduling;
using MailRelay.Queue;

namespace MailRelay.Tests.Delivery.Scheduling;

/// <summary>What a scheduler reports, as channels a test can await in order.</summary>
internal sealed class SchedulerEvents
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Channel<(string QueueId, IReadOnlyList<RecipientResult>? Results)> _attempts = Channel.CreateUnbounded<(string, IReadOnlyList<RecipientResult>?)>();
    private readonly Channel<string> _removed = Channel.CreateUnbounded<string>();
    private readonly List<string> _removedSoFar = [];
    private readonly Channel<ControlRequest> _controls = Channel.CreateUnbounded<ControlRequest>();

    public SchedulerEvents(QueueScheduler scheduler)
    {
        scheduler.AttemptRecorded += (id, results) => _attempts.Writer.TryWrite((id, results));
        scheduler.MessageRemoved += id => _removed.Writer.TryWrite(id);
        scheduler.ControlApplied += request => _controls.Writer.TryWrite(request);
    }

    public async Task<(string QueueId, IReadOnlyList<RecipientResult>? Results)> NextAttemptAsync() =>
        await _attempts.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public async Task<ControlRequest> NextControlAsync() => await _controls.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Waits until every id given has been removed, in any order.</summary>
    public Task RemovedAsync(params string[] queueIds) =>
        WaitForRemovalsAsync(seen => queueIds.All(seen.Contains));

    /// <summary>Waits until some removed message satisfies <paramref name="match"/>; returns its id.</summary>
    public async Task<string> RemovedMatchingAsync(Func<string, bool> match)
    {
        string? found = null;
        await WaitForRemovalsAsync(seen => (found = seen.FirstOrDefault(match)) is not null);
        return found!;
    }

    private async Task WaitForRemovalsAsync(Func<IReadOnlyCollection<string>, bool> done)
    {
        while (!done(_removedSoFar))
        {
            _removedSoFar.Add(await _removed.Reader.ReadAsync().AsTask().WaitAsync(Timeout));
        }
    }
}
