using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailRelay.Tests.Support;

/// <summary>
/// A real redis-server (Debian's package) of the test's own, on 127.0.0.1 and a port the kernel reported free, with
/// no persistence (<c>--save "" --appendonly no</c>) in a temporary directory; never the system's service. It can be
/// killed (SIGKILL, as a crashed Redis) and started again on the same port, empty.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private const string Executable = "/usr/bin/redis-server";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string directory, int port, Process process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    /// <summary>The REDIS_URL of this server.</summary>
    public string Url => $"redis://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static RedisServer Start()
    {
        var directory = Directory.CreateTempSubdirectory("mailrelay-redis-").FullName;
        var failures = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreePort();
            if (TryLaunch(directory, port, out var process, out var output))
            {
                return new RedisServer(directory, port, process);
            }

            failures.Add($"port {port}: {output}");
        }

        Directory.Delete(directory, recursive: true);
        throw new InvalidOperationException("redis-server did not start: " + string.Join(" / ", failures));
    }

    /// <summary>Kills the server at once (SIGKILL): connections drop, nothing is saved.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts a fresh, empty server on the same port after <see cref="Kill"/>.</summary>
    public void Restart()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The server is running.");
        }

        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (TryLaunch(_directory, Port, out var process, out _))
            {
                _process = process;
                return;
            }
        }

        throw new InvalidOperationException($"redis-server did not start again on port {Port}.");
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private static bool TryLaunch(string directory, int port, out Process process, out string output)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no",
            "--dir", directory, "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "notice",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var lines = new List<string>();
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetResult(false);
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult(true);
            }
        };
        process.Exited += (_, _) => ready.TrySetResult(false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (ready.Task.Wait(StartLimit) && ready.Task.Result)
        {
            output = string.Empty;
            return true;
        }

        if (!process.HasExited)
        {
            process.Kill();
        }

        process.WaitForExit();
        process.Dispose();
        lock (lines)
        {
            output = string.Join(" | ", lines.TakeLast(3));
        }

        return false;
    }

    /// <summary>A TCP port the kernel reports free on 127.0.0.1; redis-server may still lose a race for it, then Start retries.</summary>
    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
