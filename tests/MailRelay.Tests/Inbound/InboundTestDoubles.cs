using MailRelay.Bounces;
using MailRelay.Events;
using MailRelay.Inbound;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Tests.Inbound;

/// <summary>
/// Stands in for the VERP verifier: <c>bounce+TOKEN@…</c> is valid when TOKEN is one of the issued ones, expired
/// for <c>bounce+expired…</c>, malformed for <c>bounce+bad…</c>, forged otherwise.
/// </summary>
internal sealed class TokenTableVerifier : IBounceAddressVerifier
{
    private readonly Dictionary<string, (string QueueId, string Recipient)> _issued = new(StringComparer.OrdinalIgnoreCase);

    public TokenTableVerifier Issue(string token, string queueId, string recipient)
    {
        _issued[token] = (queueId, recipient);
        return this;
    }

    public bool IsBounceAddress(string address) => AddressParts.LocalPart(address).StartsWith("bounce+", StringComparison.OrdinalIgnoreCase);

    public BounceAddressCheck Verify(string address, DateTimeOffset now)
    {
        var token = AddressParts.LocalPart(address)["bounce+".Length..];
        if (_issued.TryGetValue(token, out var issued))
        {
            return new BounceAddressCheck(BounceAddressStatus.Valid, issued.QueueId, issued.Recipient, now.AddHours(-1));
        }

        var status = token.StartsWith("expired", StringComparison.Ordinal) ? BounceAddressStatus.Expired
            : token.StartsWith("bad", StringComparison.Ordinal) ? BounceAddressStatus.Malformed
            : BounceAddressStatus.Forged;
        return new BounceAddressCheck(status, null, null, null);
    }
}

/// <summary>An outbox that records what is appended, or fails like a full disk.</summary>
internal sealed class RecordingOutbox : IEventOutbox
{
    public List<RelayEvent> Events { get; } = [];

    public bool Fail { get; set; }

    public ValueTask AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new IOException("No space left on device");
        }

        Events.AddRange(events);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A verification with a fixed verdict; records what it was asked.</summary>
internal sealed class FixedAuthenticator : IMessageAuthenticator
{
    public const string Results = "Authentication-Results: relay.test.example;\r\n\tspf=pass smtp.mailfrom=remote.example;\r\n\tdkim=pass header.d=remote.example";

    public SmtpReply? Refusal { get; init; }

    public bool Quarantine { get; init; }

    public List<AuthenticationRequest> Requests { get; } = [];

    public string? FirstBytes { get; private set; }

    public Task<AuthenticationVerdict> VerifyAsync(AuthenticationRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var buffer = new byte[64];
        var read = request.Message.Read(buffer);
        FirstBytes = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        return Task.FromResult(new AuthenticationVerdict(Results, "pass", "pass", "pass", null, Refusal, Quarantine));
    }
}
