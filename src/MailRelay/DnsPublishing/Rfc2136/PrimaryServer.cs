using System.Net;
using System.Security.Cryptography;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using UpdateClient = ARSoft.Tools.Net.Dns.DnsClient;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// One exchange at a time with the configured primary: a query, or an UPDATE signed with the TSIG key. Every failure
/// becomes a <see cref="DnsProviderException"/> that names the server and, when it answered, its RCODE.
/// </summary>
/// <remarks>
/// The DNS library swallows transport errors and timeouts and returns null, and it does not check a response's
/// TSIG verdict: both are checked here. Queries go out unsigned (the records are public, and some servers that take
/// signed UPDATEs answer signed queries unsigned); UPDATEs are signed and their answers must verify.
/// </remarks>
internal sealed class PrimaryServer
{
    /// <summary>How long one exchange may take, UDP try and TCP retry together.</summary>
    public static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(10);

    private readonly TsigKey? _key;
    private readonly TimeProvider _time;

    public PrimaryServer(IPEndPoint endPoint, TsigKey? key, TimeProvider time)
    {
        EndPoint = endPoint;
        _key = key;
        _time = time;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Asks for <paramref name="type"/> at <paramref name="name"/>; any RCODE is returned for the caller to judge.</summary>
    public async Task<DnsMessage> QueryAsync(DomainName name, RecordType type, CancellationToken cancellationToken)
    {
        var query = new DnsMessage
        {
            TransactionID = NewTransactionId(),
            IsQuery = true,
            OperationCode = OperationCode.Query,
            IsRecursionDesired = false,
            IsEDnsEnabled = true,
        };
        query.Questions.Add(new DnsQuestion(name, type, RecordClass.INet));
        return await SendAsync(
            $"{type.ToString().ToUpperInvariant()} query for {name.ToString(false)}",
            (client, token) => client.SendMessageAsync(query, token),
            cancellationToken);
    }

    /// <summary>Sends an UPDATE, signed when a key is set, and returns the verified answer whatever its RCODE.</summary>
    /// <remarks>
    /// The library may send it again over TCP when a UDP answer does not come. That is safe: adding an RR that exists
    /// and deleting one that does not are no-ops (RFC 2136 §3.4.2), so our prerequisite-free UPDATEs are idempotent.
    /// </remarks>
    public async Task<DnsUpdateMessage> UpdateAsync(DnsUpdateMessage update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var what = $"UPDATE of zone {update.ZoneName.ToString(false)}";
        update.TransactionID = NewTransactionId();
        _key?.Sign(update, _time.GetUtcNow());
        var answer = await SendAsync(what, (client, token) => client.SendUpdateAsync(update, token), cancellationToken);
        CheckSignature(what, answer);
        return answer;
    }

    private async Task<TMessage> SendAsync<TMessage>(
        string what, Func<UpdateClient, CancellationToken, Task<TMessage?>> send, CancellationToken cancellationToken)
        where TMessage : DnsMessageBase
    {
        using var deadline = new CancellationTokenSource(ExchangeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        // UDP first, TCP when the answer is truncated or the message is over 512 octets (a long TXT, a signed
        // batch). The library's own per-try timer runs on the wall clock; ours, on the injected clock, bounds the whole.
        using var client = new UpdateClient(
            [EndPoint.Address],
            [new UdpClientTransport(EndPoint.Port), new TcpClientTransport(EndPoint.Port)],
            disposeTransport: true,
            queryTimeout: (int)ExchangeTimeout.TotalMilliseconds);
        TMessage? answer;
        try
        {
            answer = await send(client, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            answer = null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return answer ?? throw new DnsProviderException($"{what}: no answer from {EndPoint} within {ExchangeTimeout.TotalSeconds:0} s.");
    }

    /// <summary>
    /// RFC 8945 §5.3: an answer to a signed request must be signed with the same key, except the unsigned error answers
    /// a server gives when it cannot verify the request at all (BADKEY) or refuses before looking (REFUSED).
    /// </summary>
    private void CheckSignature(string what, DnsMessageBase answer)
    {
        if (_key is null)
        {
            return;
        }

        var tsig = answer.TSigOptions;
        if (tsig is null)
        {
            if (answer.ReturnCode == ReturnCode.NoError)
            {
                throw new DnsProviderException($"{what}: {EndPoint} answered NOERROR without the TSIG signature of key {_key}; the answer cannot be trusted.");
            }

            return;
        }

        if (tsig.Error != ReturnCode.NoError)
        {
            throw new DnsProviderException(
                $"{what}: {EndPoint} answered {ResponseCodeText.Of(answer.ReturnCode)} with TSIG error {ResponseCodeText.OfTsigError(tsig.Error)} for key {_key}: check the key name, algorithm and secret, and the clocks.");
        }

        if (tsig.ValidationResult != ReturnCode.NoError)
        {
            throw new DnsProviderException(
                $"{what}: the answer from {EndPoint} ({ResponseCodeText.Of(answer.ReturnCode)}) failed TSIG verification with key {_key}: {ResponseCodeText.OfTsigError(tsig.ValidationResult)}.");
        }
    }

    /// <summary>Random ids make a spoofed UDP answer harder to slip in; zero would let the library pick one after signing.</summary>
    private static ushort NewTransactionId() => (ushort)RandomNumberGenerator.GetInt32(1, ushort.MaxValue + 1);
}
