using System.Diagnostics;
using System.Net;

namespace MailRelay.Tests.Dns;

/// <summary>
/// A real dnsmasq on 127.0.0.53 and a free high port, answering only for the records given (everything
/// under <c>.test</c> that is not listed is NXDOMAIN). Runs in the foreground as a child process and is
/// killed when disposed.
/// </summary>
public sealed class DnsmasqServer : IDisposable
{
    private const string Executable = "/usr/sbin/dnsmasq";
    private static readonly IPAddress ListenAddress = IPAddress.Parse("127.0.0.53");

    private readonly Process _process;

    private DnsmasqServer(Process process, int port)
    {
        _process = process;
        EndPoint = new IPEndPoint(ListenAddress, port);
    }

    public IPEndPoint EndPoint { get; }

    /// <param name="records">dnsmasq options such as <c>--mx-host=…</c> and <c>--host-record=…</c>.</param>
    public static DnsmasqServer Start(IReadOnlyList<string> records)
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            var process = new Process
            {
                StartInfo = new ProcessStartInfo(Executable)
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                },
            };
            foreach (var argument in Arguments(port).Concat(records))
            {
                process.StartInfo.ArgumentList.Add(argument);
            }

            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var log = new List<string>();
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is null)
                {
                    started.TrySetResult(false);
                    return;
                }

                lock (log)
                {
                    log.Add(line.Data);
                }

                // dnsmasq logs "started" once its sockets are bound; a bind failure makes it exit instead.
                if (line.Data.Contains("started, version", StringComparison.Ordinal))
                {
                    started.TrySetResult(true);
                }
            };
            process.Start();
            process.BeginErrorReadLine();
            if (started.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult())
            {
                return new DnsmasqServer(process, port);
            }

            process.WaitForExit();
            lock (log)
            {
                failures.Add(string.Join(" | ", log));
            }

            process.Dispose();
        }

        throw new InvalidOperationException("dnsmasq did not start: " + string.Join(" / ", failures));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
        _process.Dispose();
    }

    private static IEnumerable<string> Arguments(int port) =>
    [
        "--keep-in-foreground",
        "--log-facility=-",
        "--conf-file=/dev/null",
        "--pid-file",
        "--no-resolv",
        "--no-hosts",
        "--bind-interfaces",
        "--listen-address=" + ListenAddress,
        "--port=" + port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Answer NXDOMAIN for any unlisted name under .test instead of REFUSED.
        "--local=/test/",
    ];
}
