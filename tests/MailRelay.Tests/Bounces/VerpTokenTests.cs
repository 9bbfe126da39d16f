using System.Text;
using MailRelay.Bounces;

namespace MailRelay.Tests.Bounces;

public sealed class VerpTokenTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly DateTimeOffset Issued = new(2026, 12, 6, 7, 0, 0, TimeSpan.Zero);
    private const string QueueId = "01JEZ3K8Q4M7NPX2";

    [Fact]
    public void A_token_decodes_to_its_queue_id_index_and_issue_time_and_is_authentic()
    {
        var token = VerpToken.Encode(Key, QueueId, 1234, Issued);

        Assert.True(VerpToken.TryDecode(Key, token, out var queueId, out var index, out var issued, out var authentic));
        Assert.Equal(QueueId, queueId);
        Assert.Equal(1234, index);
        Assert.Equal(Issued, issued);
        Assert.True(authentic);
    }

    [Fact]
    public void The_local_part_stays_within_the_64_octets_of_RFC_5321_for_the_largest_index()
    {
        var localPart = VerpToken.Prefix + VerpToken.Encode(Key, QueueId, VerpToken.MaxIndex, DateTimeOffset.FromUnixTimeSeconds((1L << 35) - 1));

        Assert.Equal(51, localPart.Length);
        Assert.True(Ascii.IsValid(localPart));
        Assert.Matches("^bounce\\+[0-9a-z]{44}$", localPart);
    }

    [Fact]
    public void A_receiver_that_upper_cases_the_address_does_not_break_it()
    {
        var token = VerpToken.Encode(Key, QueueId, 3, Issued).ToUpperInvariant();

        Assert.True(VerpToken.TryDecode(Key, token, out _, out var index, out _, out var authentic));
        Assert.Equal(3, index);
        Assert.True(authentic);
    }

    [Fact]
    public void Changing_any_character_makes_the_token_unauthentic_or_undecodable()
    {
        var token = VerpToken.Encode(Key, QueueId, 7, Issued);
        for (var i = 0; i < token.Length; i++)
        {
            var altered = token.ToCharArray();
            altered[i] = altered[i] == 'a' ? 'b' : 'a';
            var decoded = VerpToken.TryDecode(Key, new string(altered), out _, out _, out _, out var authentic);
            Assert.False(decoded && authentic, $"a change at position {i} went unnoticed");
        }
    }

    [Fact]
    public void A_token_made_under_another_secret_is_not_authentic()
    {
        var token = VerpToken.Encode(Encoding.UTF8.GetBytes("another secret of thirty-two chars!"), QueueId, 0, Issued);

        Assert.True(VerpToken.TryDecode(Key, token, out _, out _, out _, out var authentic));
        Assert.False(authentic);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("101jez3k8q4m7npx200000000000000000000000000000u")]
    [InlineData("201jez3k8q4m7npx2000000000000000000000000000000")]
    public void Text_not_of_the_form_does_not_decode(string token)
    {
        Assert.False(VerpToken.TryDecode(Key, token, out _, out _, out _, out _));
    }
}
