namespace MailRelay.Delivery.Scheduling;

/// <summary>Recording attempts and settling messages off the workers' path, tracked for shutdown.</summary>
public sealed partial class QueueScheduler
{
    private async Task RecordAsync(DeliveryJob job, IReadOnlyList<RecipientResult>? results)
    {
        var settle = await _recorder.RecordAsync(job, results).ConfigureAwait(false);
        _touched.Enqueue(job.Message);
        AttemptRecorded?.Invoke(job.Message.QueueId, results);
        if (settle)
        {
            StartSettling(job.Message);
        }

        WakeLoop();
    }

    private void StartSettling(QueuedMessage message)
    {
        Track(Task.Run(() => _recorder.SettleAsync(message)));
    }

    /// <summary>Keeps <paramref name="task"/> until it ends, so shutdown can wait for it.</summary>
    private void Track(Task task)
    {
        _settling.TryAdd(task, true);
        task.ContinueWith(t => _settling.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
