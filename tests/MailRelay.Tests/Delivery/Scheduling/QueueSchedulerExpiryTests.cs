using MailRelay.Queue;
using MailRelay.Tests.Queue;
using MimeKit;

namespace MailRelay.Tests.Delivery.Scheduling;

public sealed class QueueSchedulerExpiryTests : IAsyncLifetime, IAsyncDisposable
{
    private readonly SchedulerHarness _harness = new(o => o with { QueueLifetime = TimeSpan.FromMinutes(3) });

    public Task InitializeAsync() => _harness.StartAsync();

    Task IAsyncLifetime.DisposeAsync() => _harness.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Deferred_recipients_fail_with_4_4_7_after_the_queue_lifetime_and_the_sender_gets_a_DSN()
    {
        _harness.Transport.Respond = (request, r) => request.Message.Envelope.Sender.Length == 0
            ? FakeTransport.Delivered(r)
            : FakeTransport.Deferred(r, "greylisted");
        var id = await _harness.SubmitAsync("app@example.com", "user@example.net");
        await _harness.Events.NextAttemptAsync();

        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        await _harness.Events.NextAttemptAsync();

        Assert.Equal(RecipientStatus.Deferred, _harness.StateOf(id).For("user@example.net").Status);

        // The schedule says 5 more minutes, but the lifetime ends at 3: the last attempt happens then.
        Assert.Equal(SpoolFixtures.Start.AddMinutes(3), _harness.StateOf(id).For("user@example.net").NextAttempt);
        _harness.Time.Advance(TimeSpan.FromMinutes(2));
        var dsnId = await _harness.Events.RemovedMatchingAsync(removed => removed != id);
        await _harness.Events.RemovedAsync(id);

        Assert.Equal(3, _harness.Transport.For("user@example.net").Count);
        var dsn = MimeMessage.Load(new MemoryStream(_harness.Transport.Requests.Single(r => r.Request.Message.QueueId == dsnId).Content));
        var status = (MessageDeliveryStatus)((MultipartReport)dsn.Body!)[1];
        var recipient = status.StatusGroups[1];
        Assert.Equal("4.4.7", recipient["Status"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("smtp; 451 4.7.1 greylisted", recipient["Diagnostic-Code"]);
        Assert.Contains("delivery time expired", ((TextPart)((MultipartReport)dsn.Body!)[0]).Text, StringComparison.Ordinal);
        Assert.Contains(
            _harness.Logger.Messages,
            m => m == $"{id}: to=<user@example.net>, relay=mx.example.net[127.0.0.1]:25, delay=180, dsn=4.4.7, status=bounced (delivery time expired: 451 4.7.1 greylisted)");
    }
}
