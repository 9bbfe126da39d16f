using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>
/// A real haproxy in TCP mode, in the foreground as a child process, with one frontend on 127.0.0.1 per
/// backend option (<c>send-proxy</c>, <c>send-proxy-v2</c>). Readiness comes from haproxy's own
/// sd_notify "READY=1" on a socket we hand it, so no test waits by guessing.
/// </summary>
internal sealed class HaproxyProcess : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"];

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output;

    private HaproxyProcess(Process process, string directory, StringBuilder output, IReadOnlyDictionary<string, IPEndPoint> frontends)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Frontends = frontends;
    }

    /// <summary>Frontend address by the backend option it uses ("send-proxy" or "send-proxy-v2").</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Frontends { get; }

    public static async Task<HaproxyProcess> StartAsync(IPEndPoint backend, params string[] sendProxyOptions)
    {
        var executable = FindExecutable();
        var directory = Directory.CreateTempSubdirectory("mailrelay-haproxy-").FullName;
        var frontends = sendProxyOptions.ToDictionary(option => option, _ => new IPEndPoint(IPAddress.Loopback, FreeLoopbackPort()));
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, BuildConfig(backend, frontends));

        var notifyPath = Path.Combine(directory, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        var output = new StringBuilder();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-Ws", "-db", "-f", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        var process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var haproxy = new HaproxyProcess(process, directory, output, frontends);
        try
        {
            await WaitForReadyAsync(notify, process);
        }
        catch (Exception ex)
        {
            await haproxy.DisposeAsync();
            throw new InvalidOperationException($"haproxy did not become ready: {ex.Message}\n{haproxy.Output}", ex);
        }

        return haproxy;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var guard = new CancellationTokenSource(TestTimeouts.Guard);
        await _process.WaitForExitAsync(guard.Token);
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string FindExecutable()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "haproxy"));
        return Candidates.Concat(onPath).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "haproxy is required by the PROXY protocol interoperability tests but was not found at /usr/sbin/haproxy " +
                "or on PATH; install it (Debian: apt-get install haproxy).");
    }

    private static string BuildConfig(IPEndPoint backend, IReadOnlyDictionary<string, IPEndPoint> frontends)
    {
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"""
            global
                maxconn 100
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s

            """);
        var index = 0;
        foreach (var (option, frontend) in frontends)
        {
            index++;
            config.Append(CultureInfo.InvariantCulture, $"""
                frontend fe{index}
                    bind {frontend}
                    default_backend be{index}
                backend be{index}
                    server s {backend} {option}

                """);
        }

        return config.ToString();
    }

    private static async Task WaitForReadyAsync(Socket notify, Process process)
    {
        using var guard = new CancellationTokenSource(TestTimeouts.Guard);
        var exited = process.WaitForExitAsync(guard.Token);
        var buffer = new byte[4096];
        while (true)
        {
            var receive = notify.ReceiveAsync(buffer, SocketFlags.None, guard.Token).AsTask();
            if (await Task.WhenAny(receive, exited) == exited)
            {
                throw new InvalidOperationException($"haproxy exited with code {process.ExitCode}");
            }

            var message = Encoding.ASCII.GetString(buffer, 0, await receive);
            if (message.Split('\n').Contains("READY=1"))
            {
                return;
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
