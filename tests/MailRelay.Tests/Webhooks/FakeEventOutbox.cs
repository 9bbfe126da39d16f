using System.Text;
using System.Text.Json;
using MailRelay.Events;

namespace MailRelay.Tests.Webhooks;

/// <summary>
/// An in-memory event outbox (the reading side): events appended by the test, positions kept per consumer for the
/// life of the object, so a new dispatcher on the same outbox is a restarted one.
/// </summary>
internal sealed class FakeEventOutbox : IEventOutboxReader
{
    private readonly List<OutboxRecord> _records = [];
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);
    private readonly List<(long Sequence, TaskCompletionSource Signal)> _waiters = [];
    private readonly MailRelay.Tests.Support.ChangeSignal _waited = new();
    private long _lastWaitedBeyond;

    public long NextSequence
    {
        get
        {
            lock (_records)
            {
                return _records.Count + 1;
            }
        }
    }

    /// <summary>Every Acknowledge call, in order.</summary>
    public List<(string Consumer, long Sequence)> Acknowledgements { get; } = [];

    /// <summary>Raised after each Acknowledge.</summary>
    public event Action? Acknowledged;

    /// <summary>Appends an event of <paramref name="type"/> for <paramref name="queueId"/>; its JSON line is what webhooks send.</summary>
    public OutboxRecord Append(string type, string? queueId, DateTimeOffset time, string? recipient = null)
    {
        OutboxRecord record;
        List<TaskCompletionSource> wake;
        lock (_records)
        {
            var sequence = _records.Count + 1;
            var id = $"ev-{sequence:D4}-{type}";
            var json = JsonSerializer.Serialize(new { id, type, time, queue_id = queueId, recipient });
            record = new OutboxRecord(sequence, id, type, queueId, time, Encoding.UTF8.GetBytes(json));
            _records.Add(record);
            wake = _waiters.Where(w => w.Sequence < sequence + 1).Select(w => w.Signal).ToList();
            _waiters.RemoveAll(w => w.Sequence < sequence + 1);
        }

        foreach (var signal in wake)
        {
            signal.TrySetResult();
        }

        return record;
    }

    public IReadOnlyList<OutboxRecord> Read(long from, int max)
    {
        lock (_records)
        {
            return _records.Where(r => r.Sequence >= from).Take(max).ToArray();
        }
    }

    public Task WaitBeyondAsync(long sequence, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastWaitedBeyond, sequence);
        _waited.Raise();
        lock (_records)
        {
            if (_records.Count + 1 > sequence)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((sequence, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    public long Register(string consumer)
    {
        lock (_records)
        {
            return _positions.TryGetValue(consumer, out var position) ? position : 1;
        }
    }

    public void Acknowledge(string consumer, long sequence)
    {
        lock (_records)
        {
            _positions[consumer] = sequence;
            Acknowledgements.Add((consumer, sequence));
        }

        Acknowledged?.Invoke();
    }

    /// <summary>Completes once a consumer waits for events beyond <paramref name="sequence"/>: it has dealt with everything before.</summary>
    public Task WaitForWaiterAsync(long sequence) =>
        _waited.WaitUntilAsync(() => Interlocked.Read(ref _lastWaitedBeyond) >= sequence, TimeSpan.FromSeconds(30));

    public long PositionOf(string consumer)
    {
        lock (_records)
        {
            return _positions.GetValueOrDefault(consumer, 1);
        }
    }
}
