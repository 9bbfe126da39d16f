using System.Text;
using MailRelay.Dkim;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Prometheus;

namespace MailRelay.Tests.Dkim;

/// <summary>Our signatures, checked by an independent verifier (python3-dkim) over the bytes that would be sent.</summary>
public sealed class DkimSignatureVerificationTests(SignedKeysFixture keys) : IClassFixture<SignedKeysFixture>
{
    public static TheoryData<string> MessageNames => new(TestMessages.ByName.Keys);

    [Theory]
    [MemberData(nameof(MessageNames))]
    public async Task Signature_prepended_to_the_stored_bytes_verifies(string name)
    {
        var message = TestMessages.ByName[name];
        var result = await SignAsync(message);

        Assert.Equal(DkimSigningOutcome.SignatureCreated, result.Outcome);
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, message)));
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public async Task Signature_verifies_after_the_message_is_parsed_and_written_as_the_transport_does(string name)
    {
        var message = TestMessages.ByName[name];
        var result = await SignAsync(message);

        using var parsed = MimeMessage.Load(new MemoryStream(message));
        result.PrependTo(parsed);
        using var sent = new MemoryStream();
        parsed.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, sent);

        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), sent.ToArray()));
    }

    [Fact]
    public async Task Signature_header_is_folded_with_crlf_into_short_lines()
    {
        var result = await SignAsync(TestMessages.ByName["plain"]);
        var text = Encoding.ASCII.GetString(result.HeaderField!);

        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mail;", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 78, $"line too long: {line}"));
    }

    [Fact]
    public async Task Body_changed_after_signing_fails_verification()
    {
        var message = TestMessages.ByName["plain"];
        var result = await SignAsync(message);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(message).Replace("see you.", "send money.", StringComparison.Ordinal));

        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, message)));
        Assert.False(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, tampered)));
    }

    [Fact]
    public async Task Signed_header_changed_after_signing_fails_verification()
    {
        var message = TestMessages.ByName["plain"];
        var result = await SignAsync(message);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(message).Replace("Subject: Hello", "Subject: Urgent", StringComparison.Ordinal));

        Assert.False(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, tampered)));
    }

    [Fact]
    public async Task A_second_from_added_after_signing_fails_verification_because_from_is_oversigned()
    {
        var message = TestMessages.ByName["plain"];
        var result = await SignAsync(message);
        var extraFrom = TestMessages.Bytes("From: mallory@evil.example\r\n");

        Assert.False(PythonDkimVerifier.Verifies(
            keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, TestMessages.Concat(extraFrom, message))));
    }

    [Fact]
    public async Task Body_hash_does_not_depend_on_how_the_stream_delivers_the_bytes()
    {
        var message = TestMessages.ByName["multipart"];
        var whole = await SignAsync(message);
        var trickled = await SignAsync(new ChunkedStream(message, 1));

        // Same time and key, same canonical input: the same signature, byte for byte.
        Assert.Equal(whole.HeaderField, trickled.HeaderField);
    }

    private Task<DkimSigningResult> SignAsync(byte[] message) => SignAsync(new MemoryStream(message));

    private Task<DkimSigningResult> SignAsync(Stream message)
    {
        var signer = new DkimMessageSigner(
            keys.Store, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)),
            new DkimMetrics(Metrics.NewCustomRegistry()), NullLogger<DkimMessageSigner>.Instance);
        return signer.SignAsync(message, "bounce@example.com", CancellationToken.None);
    }
}
