using System.Net;

namespace MailRelay.DnsPublishing.Addresses;

/// <summary>
/// DNS_IP_DETECT_URLS: asks services that answer with the caller's address (api.ipify.org, ifconfig.me/ip,
/// icanhazip.com) in order, and takes the first answer that is one public address. Outside a cluster, or in one
/// without a LoadBalancer Service, this is the address the relay's mail leaves from.
/// </summary>
public sealed class HttpAddressDetector : IPublicAddressSource
{
    /// <summary>An answer is one address and a line break; anything longer is not one of these services.</summary>
    private const int MaxAnswerLength = 100;

    private readonly IReadOnlyList<Uri> _urls;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public HttpAddressDetector(IReadOnlyList<Uri> urls, HttpClient http, TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        _urls = urls;
        _http = http;
        _timeout = timeout;
        _time = time;
    }

    public string Description => "DNS_IP_DETECT_URLS (" + string.Join(", ", _urls.Select(u => u.Host)) + ")";

    public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var url in _urls)
        {
            using var deadline = new CancellationTokenSource(_timeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    problems.Add($"{url}: HTTP {(int)response.StatusCode}");
                    continue;
                }

                var answer = await ReadBoundedAsync(response, timeout.Token);
                if (answer is not null && IPAddress.TryParse(answer, out var address) && PublicAddress.IsPublic(address))
                {
                    return [address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address];
                }

                problems.Add($"{url}: the answer is not one public address");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problems.Add($"{url}: no answer within {_timeout.TotalSeconds:0} s");
            }
            catch (HttpRequestException e)
            {
                problems.Add($"{url}: {e.Message}");
            }
        }

        throw new DnsProviderException(
            "The public address could not be detected (" + string.Join("; ", problems) + "). Set DNS_EXTERNAL_IPS, or let the relay reach DNS_IP_DETECT_URLS.");
    }

    private static async Task<string?> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxAnswerLength + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > MaxAnswerLength ? null : System.Text.Encoding.ASCII.GetString(buffer, 0, length).Trim();
    }
}
