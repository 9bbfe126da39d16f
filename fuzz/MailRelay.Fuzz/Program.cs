using SharpFuzz;

namespace MailRelay.Fuzz;

/// <summary>
/// Fuzzing entry point: <c>MailRelay.Fuzz &lt;target&gt;</c> runs one target under afl-fuzz (SharpFuzz's
/// out-of-process fork server, so a stack overflow or a hang is reported instead of ending the run);
/// <c>MailRelay.Fuzz &lt;target&gt; &lt;file or directory&gt;...</c> replays inputs once each, for corpora and crashers.
/// </summary>
internal static class Program
{
    // Inputs are parsed in memory; more than this exercises nothing the parsers' own bounds do not.
    private const int MaxInputLength = 64 * 1024;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine("usage: MailRelay.Fuzz <target> [input file or directory...]");
            Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Keys));
            return 2;
        }

        if (args.Length > 1)
        {
            return Replay(target, args[1..]);
        }

        Fuzzer.OutOfProcess.Run(stream => target(ReadBounded(stream)));
        return 0;
    }

    private static byte[] ReadBounded(Stream stream)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while (memory.Length < MaxInputLength && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            memory.Write(buffer, 0, read);
        }

        return memory.Length > MaxInputLength ? memory.ToArray()[..MaxInputLength] : memory.ToArray();
    }

    private static int Replay(Action<byte[]> target, string[] paths)
    {
        var files = paths
            .SelectMany<string, string>(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [path])
            .ToList();
        var failures = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            try
            {
                target(input.Length > MaxInputLength ? input[..MaxInputLength] : input);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failures++;
                Console.Error.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
                Console.Error.WriteLine(ex.StackTrace);
            }
        }

        Console.WriteLine($"{files.Count} inputs replayed, {failures} failed");
        return failures == 0 ? 0 : 1;
    }
}
