using System.Text.Json;
using MailRelay.Dkim;

namespace MailRelay.DnsPublishing;

/// <summary>
/// The names the relay owns records at, kept in <c>DATA_DIR/dns/managed.json</c>. A provider that answers per name
/// (RFC 2136) shows nothing of a domain that has left MAIL_DOMAINS; this list is how its records are still found and
/// deleted. Losing the file loses no record and changes none: it only narrows where old markers are looked for.
/// </summary>
internal sealed class ManagedNamesState
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _path;

    public ManagedNamesState(string dataDirectory)
    {
        _path = Path.Combine(dataDirectory, "dns", "managed.json");
    }

    public string FilePath => _path;

    /// <summary>The names recorded, lower case; empty when there is no file yet.</summary>
    /// <exception cref="IOException">The file exists but cannot be read or parsed.</exception>
    public IReadOnlyList<string> Read()
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        try
        {
            var names = JsonSerializer.Deserialize<string[]>(File.ReadAllBytes(_path)) ?? [];
            return names.Select(n => n.ToLowerInvariant()).ToArray();
        }
        catch (JsonException e)
        {
            throw new IOException($"{_path} is not a JSON list of names: {e.Message}", e);
        }
    }

    public void Write(IEnumerable<string> names)
    {
        var sorted = names.Select(n => n.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        AtomicFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(sorted), FileMode);
    }
}
