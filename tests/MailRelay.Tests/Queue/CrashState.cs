using System.Security.Cryptography;
using System.Text;

namespace MailRelay.Tests.Queue;

/// <summary>The files a crash could leave: path (relative to the data directory) → content.</summary>
internal sealed class CrashState
{
    public CrashState(IReadOnlyDictionary<string, byte[]> files)
    {
        Files = files;
        var key = new StringBuilder();
        foreach (var (path, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            key.Append(path).Append(':').Append(Convert.ToHexString(SHA256.HashData(content))).Append(';');
        }

        Key = key.ToString();
    }

    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>Equal for equal file sets, so each distinct state is recovered once.</summary>
    public string Key { get; }

    /// <summary>Writes the state under <paramref name="dataDirectory"/>, with the queue directories a started spool has.</summary>
    public void Materialize(string dataDirectory)
    {
        foreach (var directory in new[] { "queue/incoming", "queue/active", "queue/control" })
        {
            Directory.CreateDirectory(Path.Combine(dataDirectory, directory));
        }

        foreach (var (path, content) in Files)
        {
            var full = Path.Combine(dataDirectory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }
    }

    public override string ToString() =>
        string.Join(", ", Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} ({f.Value.Length} bytes)"));
}
