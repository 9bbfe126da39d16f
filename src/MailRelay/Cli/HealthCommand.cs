using System.Net;
using MailRelay.Configuration;

namespace MailRelay.Cli;

/// <summary>
/// <c>MailRelay health [--ready]</c>: asks the running daemon's admin listener (ADMIN_LISTEN) for <c>/healthz</c> (or
/// <c>/readyz</c>) and exits 0 when it answers 200, 1 otherwise. The container's HEALTHCHECK uses it: the chiseled
/// image has no shell and no curl.
/// </summary>
public static class HealthCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(RelayConfiguration configuration, bool ready, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (configuration.AdminEndPoint is not { } admin)
        {
            await stderr.WriteLineAsync("ADMIN_LISTEN is none: there is no admin listener to ask.");
            return CommandLine.ExitError;
        }

        // A listener on every address is reached on the loopback of its family.
        var address = admin.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : admin.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : admin.Address;
        var url = new Uri($"http://{new IPEndPoint(address, admin.Port)}/{(ready ? "readyz" : "healthz")}");
        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(url);
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await stdout.WriteLineAsync($"{url}: {body}");
                return CommandLine.ExitOk;
            }

            await stderr.WriteLineAsync($"{url}: HTTP {(int)response.StatusCode} {body}");
            return CommandLine.ExitError;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"{url}: no answer ({e.Message})");
            return CommandLine.ExitError;
        }
    }
}
