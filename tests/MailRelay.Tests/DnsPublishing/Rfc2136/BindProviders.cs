using System.Text.RegularExpressions;
using MailRelay.Configuration;
using MailRelay.DnsPublishing;
using MailRelay.DnsPublishing.Rfc2136;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>Providers pointed at a test <see cref="BindServer"/>, and names no other test uses.</summary>
internal static partial class BindProviders
{
    public static Rfc2136Settings Settings(BindServer server, BindKey? key) => new()
    {
        Server = server.EndPoint,
        TsigKeyName = key?.Name,
        TsigAlgorithm = key?.Algorithm ?? "hmac-sha256",
        TsigSecret = key?.Secret ?? [],
    };

    /// <summary>A provider signing with <paramref name="key"/> (the server's hmac-sha256 key when not given).</summary>
    public static Rfc2136DnsProvider Signed(BindServer server, BindKey? key = null, RecordingLogger<Rfc2136DnsProvider>? log = null) =>
        new(Settings(server, key ?? server.Key), TimeProvider.System, log ?? new RecordingLogger<Rfc2136DnsProvider>());

    public static Rfc2136DnsProvider Unsigned(BindServer server, RecordingLogger<Rfc2136DnsProvider>? log = null) =>
        new(Settings(server, null), TimeProvider.System, log ?? new RecordingLogger<Rfc2136DnsProvider>());

    /// <summary><c>label-XXXXXXXX.zone</c>: tests share one server, so each works under names of its own.</summary>
    public static string UniqueName(string label, string zone = "example.com") => $"{label}-{Guid.NewGuid():N}"[..(label.Length + 9)] + "." + zone;

    /// <summary>Records at <paramref name="name"/> in a stable order, TTLs included, for whole-set assertions.</summary>
    public static async Task<List<DnsRecord>> ReadAtAsync(IDnsRecordProvider provider, string name) =>
        [.. (await provider.ReadAsync([name], CancellationToken.None)).OrderBy(record => record.Type).ThenBy(record => record.Value, StringComparer.Ordinal)];

    /// <summary>The character-strings of one TXT line as dig prints it (<c>"v=DKIM1; …" "…"</c>).</summary>
    public static List<string> QuotedStrings(string digLine) => [.. Quoted().Matches(digLine).Select(match => match.Groups[1].Value)];

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
