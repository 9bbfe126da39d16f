using System.Text;
using MailRelay.Dkim;
using MailRelay.Queue;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Dkim;

/// <summary>Signing a queue file in place: from its content offset, with its stored envelope sender.</summary>
public sealed class QueuedMessageSigningTests(SignedKeysFixture keys) : IClassFixture<SignedKeysFixture>, IDisposable
{
    private readonly DkimTestDirectory _directory = new();

    [Fact]
    public async Task Large_queued_message_is_signed_from_its_content_offset_and_verifies()
    {
        var body = new StringBuilder();
        for (var i = 0; body.Length < 3 * 1024 * 1024; i++)
        {
            body.Append(i % 50 == 0 ? new string((char)('a' + (i % 26)), 5000) : $"line {i} with  some\t spacing  ").Append("\r\n");
        }

        var message = TestMessages.Bytes("From: someone@customer.example\r\nTo: bob@example.net\r\nSubject: big\r\n\r\n" + body);
        var envelopeHeader = TestMessages.Bytes("not part of the message: the spool's own header\n\n");
        var path = Path.Combine(_directory.Path, "queued");
        File.WriteAllBytes(path, TestMessages.Concat(envelopeHeader, message));
        var entry = new QueueEntry
        {
            QueueId = "q1",
            ArrivalTime = DateTimeOffset.UnixEpoch,
            Size = message.Length,
            Envelope = new SpoolEnvelope { Sender = "bounces@example.org", Recipients = ["bob@example.net"] },
            FormatVersion = 1,
            FilePath = path,
            ContentOffset = envelopeHeader.Length,
        };
        var signer = new DkimMessageSigner(
            keys.Store, new FakeTimeProvider(), new DkimMetrics(Metrics.NewCustomRegistry()), NullLogger<DkimMessageSigner>.Instance);

        var result = await signer.SignAsync(entry, CancellationToken.None);

        // The From domain has no key, so the stored envelope sender's domain signs.
        Assert.Equal("example.org", result.Domain);
        Assert.Equal(TestMessages.Concat(envelopeHeader, message), File.ReadAllBytes(path));
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.org"), TestMessages.Concat(result.HeaderField!, message)));
    }

    [Fact]
    public async Task Header_section_beyond_the_bound_is_a_failure_not_an_unbounded_read()
    {
        var huge = TestMessages.Bytes("From: alice@example.com\r\n" + string.Concat(Enumerable.Repeat("X-Filler: " + new string('f', 1000) + "\r\n", 1100)) + "\r\nbody\r\n");
        var signer = new DkimMessageSigner(
            keys.Store, new FakeTimeProvider(), new DkimMetrics(Metrics.NewCustomRegistry()), NullLogger<DkimMessageSigner>.Instance);

        var result = await signer.SignAsync(new MemoryStream(huge), null, CancellationToken.None);

        Assert.Equal(DkimSigningOutcome.Failed, result.Outcome);
    }

    public void Dispose() => _directory.Dispose();
}
