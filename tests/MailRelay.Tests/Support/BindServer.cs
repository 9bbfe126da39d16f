using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DnsClient;

namespace MailRelay.Tests.Support;

/// <summary>
/// A real BIND 9 on 127.0.0.1 and a free port, primary for <see cref="Zones"/>, taking RFC 2136 UPDATEs signed with
/// one of <see cref="Keys"/> and refusing unsigned ones: example.com with <c>allow-update { key …; }</c>, example.org
/// with the narrower <c>update-policy { grant KEY zonesub A AAAA MX TXT; }</c> an operator would rather give the relay. Everything it writes
/// (configuration, zone files, journals) lives in a temporary directory removed on dispose; named runs in the
/// foreground as a child process (as root, as CI runs) and is killed on dispose.
/// </summary>
public sealed class BindServer : IDisposable
{
    public const string Executable = "/usr/sbin/named";
    public const string DigExecutable = "/usr/bin/dig";
    public const string NsUpdateExecutable = "/usr/bin/nsupdate";

    /// <summary>The key most tests sign with: hmac-sha256, as <c>tsig-keygen</c> makes by default.</summary>
    public const string KeyName = "relay-key";

    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _log;

    private BindServer(Process process, List<string> log, int port, string directory, IReadOnlyDictionary<string, BindKey> keys)
    {
        _process = process;
        _log = log;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        Directory = directory;
        Keys = keys;
    }

    /// <summary>The zones served, each with an SOA, an NS and <c>ns1</c> A 127.0.0.1; the first with allow-update, the second with update-policy.</summary>
    public static IReadOnlyList<string> Zones { get; } = ["example.com", "example.org"];

    /// <summary>Algorithms with a key of their own (<c>relay-key-hmac-sha512</c>…), to check each against BIND.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha224", "hmac-sha1", "hmac-md5"];

    public IPEndPoint EndPoint { get; }

    /// <summary>The temporary directory with named.conf, the zone files and their journals.</summary>
    public string Directory { get; }

    /// <summary>The accepted keys by algorithm.</summary>
    public IReadOnlyDictionary<string, BindKey> Keys { get; }

    /// <summary>The hmac-sha256 key <see cref="KeyName"/>.</summary>
    public BindKey Key => Keys["hmac-sha256"];

    /// <summary>named's own log so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    public static BindServer Start()
    {
        var keys = Algorithms.ToDictionary(
            algorithm => algorithm,
            algorithm => new BindKey(algorithm == "hmac-sha256" ? KeyName : KeyName + "-" + algorithm, algorithm, RandomNumberGenerator.GetBytes(32)));
        var failures = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("mailrelay-bind-").FullName;
            var port = FreePort();
            WriteConfiguration(directory, port, keys.Values);
            var log = new List<string>();
            var process = Launch(directory, log, out var started);
            if (started.Task.Wait(StartLimit) && started.Task.Result && AnswersSoa(port))
            {
                return new BindServer(process, log, port, directory, keys);
            }

            Stop(process);
            lock (log)
            {
                failures.Add($"port {port}: " + string.Join(" | ", log.Where(line => line.Contains("fail", StringComparison.OrdinalIgnoreCase)
                    || line.Contains("in use", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase))));
            }

            System.IO.Directory.Delete(directory, recursive: true);
        }

        throw new InvalidOperationException("named did not start: " + string.Join(" / ", failures));
    }

    /// <summary>Runs <c>dig @127.0.0.1 -p PORT</c> with <paramref name="arguments"/> and returns what it printed.</summary>
    public string Dig(params string[] arguments) => RunTool(
        DigExecutable,
        ["@" + EndPoint.Address, "-p", EndPoint.Port.ToString(CultureInfo.InvariantCulture), "+norecurse", "+time=5", "+tries=1", .. arguments]);

    /// <summary>Runs <c>nsupdate</c> signed with <see cref="Key"/>: a writer independent of the provider under test.</summary>
    /// <param name="commands">nsupdate commands after <c>server</c>, e.g. <c>update add NAME 300 TXT "a" "b"</c>; <c>send</c> is added.</param>
    public void NsUpdate(params string[] commands) => RunTool(
        NsUpdateExecutable,
        ["-y", Key.ToolArgument],
        string.Join('\n', [$"server {EndPoint.Address} {EndPoint.Port}", .. commands, "send", string.Empty]));

    /// <summary>The serial in the SOA of <paramref name="zone"/>, which BIND raises once per applied UPDATE message.</summary>
    public uint Serial(string zone) =>
        uint.Parse(Dig(zone, "SOA", "+short").Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Stop(_process);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A journal still being closed by a dying named: the temporary directory is left for the OS to clean.
        }
    }

    private static string RunTool(string executable, string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var tool = Process.Start(start)!;
        if (input is not null)
        {
            tool.StandardInput.Write(input);
            tool.StandardInput.Close();
        }

        var output = tool.StandardOutput.ReadToEndAsync();
        var error = tool.StandardError.ReadToEnd();
        tool.WaitForExit();
        if (tool.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed ({tool.ExitCode}): {error.Trim()} {output.Result.Trim()}");
        }

        return output.Result;
    }

    private static Process Launch(string directory, List<string> log, out TaskCompletionSource<bool> started)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            },
        };
        foreach (var argument in (string[])["-g", "-c", Path.Combine(directory, "named.conf"), "-u", "root"])
        {
            process.StartInfo.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                ready.TrySetResult(false);
                return;
            }

            lock (log)
            {
                log.Add(line.Data);
            }

            // With "reuseport no" a taken port is logged ("address in use") instead of silently shared with another
            // named; "running" comes once every zone is loaded and every socket is bound.
            if (line.Data.Contains("address in use", StringComparison.Ordinal) || line.Data.Contains("loading configuration: failure", StringComparison.Ordinal))
            {
                ready.TrySetResult(false);
            }
            else if (line.Data.EndsWith(" running", StringComparison.Ordinal))
            {
                ready.TrySetResult(true);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        started = ready;
        return process;
    }

    /// <summary>Polls, within a bounded time, until every zone's SOA is served over UDP and TCP.</summary>
    private static bool AnswersSoa(int port)
    {
        LookupClient Client(bool tcpOnly) => new(new LookupClientOptions(new NameServer(IPAddress.Loopback, port))
        {
            UseCache = false,
            Timeout = TimeSpan.FromSeconds(1),
            Retries = 0,
            ThrowDnsErrors = false,
            Recursion = false,
            UseTcpOnly = tcpOnly,
        });
        var udp = Client(tcpOnly: false);
        var tcp = Client(tcpOnly: true);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartLimit)
        {
            try
            {
                if (Zones.All(zone => udp.Query(zone, QueryType.SOA).Answers.SoaRecords().Any() && tcp.Query(zone, QueryType.SOA).Answers.SoaRecords().Any()))
                {
                    return true;
                }
            }
            catch (DnsResponseException)
            {
                // Not answering yet: asked again below.
            }

            Thread.Sleep(50);
        }

        return false;
    }

    /// <summary>A port the kernel reports free for both TCP and UDP on 127.0.0.1; named may still lose a race for it, then Start retries.</summary>
    private static int FreePort()
    {
        while (true)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP: ask for another.
            }
        }
    }

    private static void WriteConfiguration(string directory, int port, IEnumerable<BindKey> keys)
    {
        var allowUpdate = "allow-update {" + string.Concat(keys.Select(key => $" key \"{key.Name}\";")) + " };";
        var updatePolicy = "update-policy {" + string.Concat(keys.Select(key => $" grant \"{key.Name}\" zonesub A AAAA MX TXT;")) + " };";
        var zones = string.Concat(Zones.Select((zone, index) => $$"""
            zone "{{zone}}" {
                type primary;
                file "{{Path.Combine(directory, zone + ".zone")}}";
                journal "{{Path.Combine(directory, zone + ".jnl")}}";
                {{(index == 0 ? allowUpdate : updatePolicy)}}
            };

            """));
        var keyStatements = string.Concat(keys.Select(key => $$"""
            key "{{key.Name}}" { algorithm {{key.Algorithm}}; secret "{{key.SecretBase64}}"; };

            """));
        File.WriteAllText(Path.Combine(directory, "named.conf"), $$"""
            options {
                directory "{{directory}}";
                pid-file none;
                session-keyfile "{{Path.Combine(directory, "session.key")}}";
                managed-keys-directory "{{directory}}";
                listen-on port {{port}} { 127.0.0.1; };
                listen-on-v6 { none; };
                reuseport no;
                recursion no;
                notify no;
                dnssec-validation no;
            };
            controls { };
            {{keyStatements}}{{zones}}
            """);
        foreach (var zone in Zones)
        {
            File.WriteAllText(Path.Combine(directory, zone + ".zone"), $"""
                $TTL 300
                @ IN SOA ns1.{zone}. hostmaster.{zone}. 1 3600 600 86400 60
                @ IN NS ns1.{zone}.
                ns1 IN A 127.0.0.1

                """);
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        process.Dispose();
    }
}
