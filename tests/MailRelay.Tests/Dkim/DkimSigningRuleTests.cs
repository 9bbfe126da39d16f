using System.Text;
using System.Text.RegularExpressions;
using MailRelay.Dkim;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailRelay.Tests.Dkim;

/// <summary>Which key signs which message, and what is counted. Keys exist for example.com and example.org.</summary>
public sealed partial class DkimSigningRuleTests(SignedKeysFixture keys) : IClassFixture<SignedKeysFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 34, 56, TimeSpan.Zero);
    private readonly DkimMetrics _metrics = new(Metrics.NewCustomRegistry());

    [Fact]
    public async Task Message_is_signed_for_the_from_domain_even_when_the_envelope_domain_has_a_key()
    {
        var result = await SignAsync(TestMessages.Plain("alice@example.org"), "bounces@example.com");

        Assert.Equal(DkimSigningOutcome.SignatureCreated, result.Outcome);
        Assert.Equal("example.org", Tag(result, "d"));
        Assert.Equal("s2026", Tag(result, "s"));
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.org"), TestMessages.Concat(result.HeaderField!, TestMessages.Plain("alice@example.org"))));
        Assert.Equal(1, _metrics.SignedCount("example.org"));
    }

    [Fact]
    public async Task From_subdomain_is_signed_with_the_parent_domain_key()
    {
        var result = await SignAsync(TestMessages.Plain("news@mail.news.example.com"), "bounces@elsewhere.example");

        Assert.Equal("example.com", result.Domain);
        Assert.Equal("example.com", Tag(result, "d"));
    }

    [Fact]
    public async Task Internationalised_from_domain_matches_in_a_label_form()
    {
        var message = TestMessages.Plain("Jörg <jörg@bücher.example.com>");
        var result = await SignAsync(message, null);

        Assert.Equal("example.com", Tag(result, "d"));
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, message)));
    }

    [Fact]
    public async Task Envelope_sender_domain_signs_when_the_from_domain_has_no_key()
    {
        var result = await SignAsync(TestMessages.Plain("someone@customer.example"), "relay@example.org");

        Assert.Equal(DkimSigningOutcome.SignatureCreated, result.Outcome);
        Assert.Equal("example.org", Tag(result, "d"));
    }

    [Fact]
    public async Task Message_without_a_key_for_either_domain_is_not_signed_and_is_counted()
    {
        var result = await SignAsync(TestMessages.Plain("someone@customer.example"), "bounce@other.example");

        Assert.Equal(DkimSigningOutcome.NoKey, result.Outcome);
        Assert.Null(result.HeaderField);
        Assert.Equal(1, _metrics.UnsignedCount(DkimMetrics.NoKeyReason));
    }

    [Fact]
    public async Task Null_sender_and_unknown_from_domain_is_not_signed()
    {
        var result = await SignAsync(TestMessages.Plain("someone@customer.example"), string.Empty);

        Assert.Equal(DkimSigningOutcome.NoKey, result.Outcome);
    }

    [Fact]
    public async Task Message_already_signed_by_us_is_not_signed_again()
    {
        var message = TestMessages.Plain();
        var first = await SignAsync(message, null);
        var signedOnce = TestMessages.Concat(first.HeaderField!, message);

        var second = await SignAsync(signedOnce, null);

        Assert.Equal(DkimSigningOutcome.AlreadySigned, second.Outcome);
        Assert.Null(second.HeaderField);
        Assert.Equal(1, _metrics.UnsignedCount(DkimMetrics.AlreadySignedReason));
    }

    [Fact]
    public async Task Signature_by_another_domain_does_not_stop_ours()
    {
        var message = TestMessages.Concat(
            TestMessages.Bytes("DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=k1; h=from; bh=AAAA; b=AAAA\r\n"), TestMessages.Plain());

        var result = await SignAsync(message, null);

        Assert.Equal(DkimSigningOutcome.SignatureCreated, result.Outcome);
        Assert.True(PythonDkimVerifier.Verifies(keys.RecordPath("example.com"), TestMessages.Concat(result.HeaderField!, message)));
    }

    [Fact]
    public async Task Timestamp_comes_from_the_time_provider()
    {
        var result = await SignAsync(TestMessages.Plain(), null);

        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Tag(result, "t"));
    }

    [Fact]
    public async Task From_is_oversigned_and_only_present_headers_are_listed()
    {
        var message = TestMessages.Plain(extraHeaders: "List-Unsubscribe: <mailto:unsub@example.com>\r\nX-Mailer: test\r\n");
        var result = await SignAsync(message, null);

        Assert.Equal(
            "from:from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe",
            Tag(result, "h").Replace(" ", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_header_section_is_a_counted_failure_and_the_message_goes_unsigned()
    {
        var result = await SignAsync(TestMessages.Bytes("From alice@example.com Wed Nov 25\r\nFrom: alice@example.com\r\n\r\nbody\r\n"), null);

        Assert.Equal(DkimSigningOutcome.Failed, result.Outcome);
        Assert.Null(result.HeaderField);
        Assert.Equal(1, _metrics.FailureCount);
    }

    private Task<DkimSigningResult> SignAsync(byte[] message, string? envelopeSender)
    {
        var signer = new DkimMessageSigner(keys.Store, new FakeTimeProvider(Now), _metrics, NullLogger<DkimMessageSigner>.Instance);
        return signer.SignAsync(new MemoryStream(message), envelopeSender, CancellationToken.None);
    }

    /// <summary>A tag's value from the signature field, with folding removed.</summary>
    private static string Tag(DkimSigningResult result, string name)
    {
        var unfolded = Encoding.ASCII.GetString(result.HeaderField!).Replace("\r\n\t", " ", StringComparison.Ordinal);
        var match = TagPattern().Matches(unfolded).Single(m => m.Groups[1].Value == name);
        return match.Groups[2].Value.Trim();
    }

    [GeneratedRegex(@"[:;]\s*([a-z]+)=([^;]*)")]
    private static partial Regex TagPattern();
}
