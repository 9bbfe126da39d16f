using System.Diagnostics;
using System.Globalization;
using MailRelay.Tests.Support;

namespace MailRelay.Tests.DnsPublishing.Rfc2136;

/// <summary>
/// python3-dkim (under Debian's /usr/bin/python3) verifying a message with the key it looks up in a
/// <see cref="BindServer"/> itself: its <c>dnsfunc</c> asks BIND with dig, so the key is whatever was published.
/// </summary>
internal static class BindDkimVerifier
{
    private const string Python = "/usr/bin/python3";

    /// <summary>argv: dig, BIND's address, its port, the message file. Prints "pass" or "fail" and the names asked.</summary>
    private const string Script = """
        import re, subprocess, sys
        import dkim

        dig, address, port, message_path = sys.argv[1:5]

        def from_bind(name, timeout=5):
            name = name.decode() if isinstance(name, bytes) else name
            sys.stderr.write("asked " + name + "\n")
            answer = subprocess.run([dig, "@" + address, "-p", port, "+short", "+norecurse", name, "TXT"],
                                    capture_output=True, text=True, check=True).stdout
            lines = [line for line in answer.splitlines() if line.strip()]
            return "".join(re.findall(r'"([^"]*)"', lines[0])).encode() if lines else None

        with open(message_path, "rb") as message_file:
            verified = dkim.verify(message_file.read(), dnsfunc=from_bind)
        print("pass" if verified else "fail")
        """;

    /// <summary>Whether the message's first DKIM signature verifies; <paramref name="lookups"/> gets the names python asked BIND.</summary>
    public static bool Verifies(BindServer server, byte[] message, out string lookups)
    {
        var messagePath = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(messagePath, message);
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])["-c", Script, BindServer.DigExecutable, server.EndPoint.Address.ToString(), server.EndPoint.Port.ToString(CultureInfo.InvariantCulture), messagePath])
            {
                start.ArgumentList.Add(argument);
            }

            using var python = Process.Start(start)!;
            var errors = python.StandardError.ReadToEndAsync();
            var output = python.StandardOutput.ReadToEnd().Trim();
            python.WaitForExit();
            lookups = errors.GetAwaiter().GetResult();
            Assert.True(output is "pass" or "fail", $"the verifier did not run: {output} {lookups}");
            return output == "pass";
        }
        finally
        {
            File.Delete(messagePath);
        }
    }
}
