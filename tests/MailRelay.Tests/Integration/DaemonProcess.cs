using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace MailRelay.Tests.Integration;

/// <summary>
/// The real daemon as a child process (the same MailRelay.dll the image ships), on loopback ports chosen
/// by the kernel. Startup waits for the daemon's own "ready" log line, never for a fixed time.
/// </summary>
internal sealed partial class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<(string Text, int Count, TaskCompletionSource Seen)> _waiters = [];
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonProcess(Process process)
    {
        _process = process;
    }

    public IPEndPoint SmtpEndPoint { get; private set; } = null!;

    public IPEndPoint? AdminEndPoint { get; private set; }

    public int Id => _process.Id;

    public static string DaemonPath => Path.Combine(AppContext.BaseDirectory, "MailRelay.dll");

    /// <summary>Starts the daemon and waits for its ready line (or its exit, which fails the test).</summary>
    public static async Task<DaemonProcess> StartAsync(IDictionary<string, string> environment, params string[] args)
    {
        var daemon = Launch(environment, args);
        var ready = await Task.WhenAny(daemon._ready.Task, daemon._exited.Task).WaitAsync(TimeSpan.FromSeconds(60));
        if (ready != daemon._ready.Task)
        {
            throw new InvalidOperationException("The daemon exited before it was ready:\n" + daemon.Output);
        }

        var line = await daemon._ready.Task;
        daemon.SmtpEndPoint = IPEndPoint.Parse(SmtpPattern().Match(line).Groups[1].Value);
        var admin = AdminPattern().Match(line);
        daemon.AdminEndPoint = admin.Success ? IPEndPoint.Parse(admin.Groups[1].Value) : null;
        return daemon;
    }

    /// <summary>Runs the executable to completion (a CLI command, or a daemon expected to refuse to start).</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IDictionary<string, string> environment, params string[] args)
    {
        await using var daemon = Launch(environment, args);
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (daemon._process.ExitCode, daemon.Output);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits (bounded) until the daemon has printed a line containing <paramref name="text"/> <paramref name="count"/> times.</summary>
    public Task WaitForOutputAsync(string text, int count, TimeSpan limit)
    {
        var waiter = (text, count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_output)
        {
            if (_output.Count(l => l.Contains(text, StringComparison.Ordinal)) >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add(waiter);
        }

        return waiter.Item3.Task.WaitAsync(limit);
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM, as Kubernetes does when it stops a pod.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed");
        }
    }

    public Task WaitForExitAsync(TimeSpan limit) => _process.WaitForExitAsync().WaitAsync(limit);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static DaemonProcess Launch(IDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DaemonPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(IsOurs).ToList())
        {
            start.Environment.Remove(key);
        }

        // A daemon that knows its addresses would ask real blocklists through the host's resolver: tests never do,
        // unless one sets DNSBL_ENABLED itself (with DNS_SERVERS on loopback).
        start.Environment["DNSBL_ENABLED"] = "false";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.Exited += (_, _) => daemon._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private static bool IsOurs(string name) =>
        name.StartsWith("SMTP_", StringComparison.Ordinal) || name.StartsWith("MAIL_", StringComparison.Ordinal)
        || name.StartsWith("DKIM_", StringComparison.Ordinal) || name.StartsWith("RELAY_", StringComparison.Ordinal)
        || name.StartsWith("LOG_", StringComparison.Ordinal) || name is "DATA_DIR" or "ADMIN_LISTEN" or "TRUSTED_NETWORKS";

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                if (_output.Count(l => l.Contains(waiter.Text, StringComparison.Ordinal)) >= waiter.Count)
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        if (line.Contains(" ready: smtp=", StringComparison.Ordinal))
        {
            _ready.TrySetResult(line);
        }
    }

    /// <summary>Submits <paramref name="message"/> with MailKit (no TLS, no AUTH) and returns the queue id of its 250.</summary>
    public async Task<string> SubmitAsync(MimeKit.MimeMessage message)
    {
        using var client = new MailKit.Net.Smtp.SmtpClient();
        await client.ConnectAsync(SmtpEndPoint.Address.ToString(), SmtpEndPoint.Port, MailKit.Security.SecureSocketOptions.None);
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
        return QueuedAsPattern().Match(reply).Groups[1].Value;
    }

    [GeneratedRegex(@"queued as (\S+)")]
    private static partial Regex QueuedAsPattern();

    [GeneratedRegex(@"smtp=\\?""?([0-9.]+:\d+)")]
    private static partial Regex SmtpPattern();

    [GeneratedRegex(@"admin=\\?""?([0-9.]+:\d+)")]
    private static partial Regex AdminPattern();

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
