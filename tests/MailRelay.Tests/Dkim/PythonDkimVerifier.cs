using System.Diagnostics;

namespace MailRelay.Tests.Dkim;

/// <summary>
/// The independent verifier: python3-dkim under Debian's /usr/bin/python3, with the public key read from
/// our record file instead of DNS.
/// </summary>
internal static class PythonDkimVerifier
{
    private const string Python = "/usr/bin/python3";

    public static bool Verifies(string recordPath, byte[] message)
    {
        var messagePath = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(messagePath, message);
            var script = Path.Combine(AppContext.BaseDirectory, "Dkim", "verify-dkim.py");
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(recordPath);
            start.ArgumentList.Add(messagePath);
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var errorText = errors.GetAwaiter().GetResult();
            Assert.True(output is "pass" or "fail", $"the verifier did not run: {output} {errorText}");
            return process.ExitCode == 0 && output == "pass";
        }
        finally
        {
            File.Delete(messagePath);
        }
    }
}
