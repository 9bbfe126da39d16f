using System.Diagnostics;
using System.Security.Cryptography;

namespace MailRelay.Tests.Inbound.Authentication;

/// <summary>An independent signer: python3-dkim (Debian's /usr/bin/python3) adds a DKIM-Signature to a message.</summary>
internal static class PythonDkimSigner
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, dkim
        message = open(sys.argv[1], 'rb').read()
        key = open(sys.argv[2], 'rb').read()
        signature = dkim.sign(message, sys.argv[3].encode(), sys.argv[4].encode(), key,
                              canonicalize=(b'relaxed', b'simple'), include_headers=[b'from', b'to', b'subject'])
        sys.stdout.buffer.write(signature + message)
        """;

    public static byte[] Sign(byte[] message, RSA key, string domain, string selector)
    {
        var messagePath = Path.GetTempFileName();
        var keyPath = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(messagePath, message);
            File.WriteAllText(keyPath, key.ExportRSAPrivateKeyPem());
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["-c", Script, messagePath, keyPath, selector, domain])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "python3-dkim did not sign: " + errors.GetAwaiter().GetResult());
            return output.ToArray();
        }
        finally
        {
            File.Delete(messagePath);
            File.Delete(keyPath);
        }
    }
}
