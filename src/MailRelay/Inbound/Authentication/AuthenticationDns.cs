using DnsClient;

namespace MailRelay.Inbound.Authentication;

/// <summary>
/// The TXT lookups of DKIM keys and DMARC policies, through the relay's resolver (DNS_SERVERS, each with its own port),
/// telling "the domain publishes nothing here" from "no answer could be had".
/// </summary>
public sealed class AuthenticationDns
{
    public AuthenticationDns(ILookupClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
    }

    /// <summary>The resolver, shared with the SPF evaluation.</summary>
    public ILookupClient Client { get; }

    public async Task<TxtLookup> QueryTxtAsync(string name, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await Client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException)
        {
            return new TxtLookup(TxtLookupStatus.TemporaryFailure, []);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The verification's deadline passed (or the caller gave up, which the caller then sees for itself).
            return new TxtLookup(TxtLookupStatus.TemporaryFailure, []);
        }

        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new TxtLookup(TxtLookupStatus.NotFound, []);
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return new TxtLookup(TxtLookupStatus.TemporaryFailure, []);
        }

        var records = response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToArray();
        return new TxtLookup(records.Length == 0 ? TxtLookupStatus.NotFound : TxtLookupStatus.Found, records);
    }
}
