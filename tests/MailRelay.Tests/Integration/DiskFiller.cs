using System.Diagnostics;
using System.Globalization;

namespace MailRelay.Tests.Integration;

/// <summary>
/// Takes up space on a (small) file system with one file, and reads free space the way <c>df</c> does, with
/// coreutils' <c>stat -f</c>, so tests compare the daemon's figures with an independent reading.
/// </summary>
internal sealed class DiskFiller : IDisposable
{
    private DiskFiller(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Writes a file in <paramref name="directory"/> that leaves about <paramref name="leaveFree"/> bytes available.</summary>
    public static DiskFiller Leaving(string directory, long leaveFree)
    {
        var path = System.IO.Path.Combine(directory, "filler");
        var size = AvailableBytes(directory) - leaveFree;
        if (size <= 0)
        {
            throw new InvalidOperationException($"{directory} has less than {leaveFree} bytes free already.");
        }

        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)'f');
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            for (var left = size; left > 0; left -= block.Length)
            {
                file.Write(block, 0, (int)Math.Min(left, block.Length));
            }
        }

        return new DiskFiller(path);
    }

    /// <summary>statvfs f_bavail × f_frsize of the file system holding <paramref name="path"/>, as coreutils reports it.</summary>
    public static long AvailableBytes(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "-f", "-c", "%a %S", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var fields = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return long.Parse(fields[0], CultureInfo.InvariantCulture) * long.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Gives the space back.</summary>
    public void Dispose() => File.Delete(Path);
}
