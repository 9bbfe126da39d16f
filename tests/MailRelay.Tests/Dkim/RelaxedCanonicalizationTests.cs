using System.Security.Cryptography;
using System.Text;
using MailRelay.Dkim;

namespace MailRelay.Tests.Dkim;

/// <summary>The relaxed canonicalizations against the examples and rules of RFC 6376 §3.4.</summary>
public sealed class RelaxedCanonicalizationTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("\r\n\r\n", "")]
    [InlineData("abc", "abc\r\n")]
    [InlineData(" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n")]
    [InlineData("\r\n\r\nx\r\n \t \r\ny  \r\n", "\r\n\r\nx\r\n\r\ny\r\n")]
    [InlineData("a\rb\r\n", "a\rb\r\n")]
    public void Body_is_canonicalized_as_rfc_6376_describes(string body, string canonical)
    {
        using var hasher = new RelaxedBodyHasher();
        hasher.Append(Encoding.ASCII.GetBytes(body));

        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(canonical)), hasher.Finish());
    }

    [Fact]
    public void Body_hash_is_the_same_whatever_the_chunk_boundaries()
    {
        var body = Encoding.ASCII.GetBytes("line one  \r\n\t tabbed\r\n\r\n" + new string(' ', 40000) + "x\r\r\n\r\n\r\n");
        using var whole = new RelaxedBodyHasher();
        whole.Append(body);
        using var byteByByte = new RelaxedBodyHasher();
        foreach (var b in body)
        {
            byteByByte.Append([b]);
        }

        Assert.Equal(whole.Finish(), byteByByte.Finish());
    }

    [Fact]
    public void Header_is_unfolded_lower_cased_and_whitespace_reduced()
    {
        var canonical = RelaxedCanonicalization.Header("SubJect", Encoding.ASCII.GetBytes(" \t AbC\r\n\t def  \r\n"), withCrlf: true);

        Assert.Equal("subject:AbC def\r\n", Encoding.ASCII.GetString(canonical));
    }
}
