using MailRelay.Inbound;

namespace MailRelay.Tests.Inbound;

/// <summary>The one splitter of envelope addresses, and the rule each of its methods keeps for an incomplete address.</summary>
public class AddressPartsTests
{
    [Theory]
    [InlineData("bounce+a1@ours.example", "bounce+a1", "ours.example")]
    [InlineData("\"user@home\"@ours.example", "\"user@home\"", "ours.example")]
    [InlineData("postmaster@ours.example.", "postmaster", "ours.example")]
    public void An_address_splits_at_its_last_at_sign_and_loses_the_root_dot(string address, string expectedLocalPart, string expectedDomain)
    {
        // A quoted local part may hold an @, a domain never does; example.com. is example.com.
        Assert.True(AddressParts.TrySplit(address, out var localPart, out var domain));

        Assert.Equal(expectedLocalPart, localPart);
        Assert.Equal(expectedDomain, domain);
        Assert.Equal(expectedLocalPart, AddressParts.LocalPart(address));
        Assert.Equal(expectedDomain, AddressParts.DomainOrNull(address));
    }

    [Fact]
    public void An_address_without_at_sign_is_all_local_part_with_a_null_domain_and_does_not_split()
    {
        Assert.Equal("postmaster", AddressParts.LocalPart("postmaster"));
        Assert.Null(AddressParts.DomainOrNull("postmaster"));

        Assert.False(AddressParts.TrySplit("postmaster", out var localPart, out var domain));
        Assert.Equal(string.Empty, localPart);
        Assert.Equal(string.Empty, domain);
    }

    [Fact]
    public void An_empty_address_has_an_empty_local_part_no_domain_and_does_not_split()
    {
        Assert.Equal(string.Empty, AddressParts.LocalPart(string.Empty));
        Assert.Null(AddressParts.DomainOrNull(string.Empty));
        Assert.False(AddressParts.TrySplit(string.Empty, out _, out _));
    }

    [Fact]
    public void An_address_with_nothing_before_the_at_sign_has_a_domain_but_does_not_split()
    {
        Assert.Equal(string.Empty, AddressParts.LocalPart("@ours.example"));
        Assert.Equal("ours.example", AddressParts.DomainOrNull("@ours.example"));

        Assert.False(AddressParts.TrySplit("@ours.example", out var localPart, out var domain));
        Assert.Equal(string.Empty, localPart);
        Assert.Equal(string.Empty, domain);
    }

    [Theory]
    [InlineData("postmaster@")]
    [InlineData("postmaster@.")]
    public void An_address_with_no_domain_after_the_at_sign_has_an_empty_domain_and_does_not_split(string address)
    {
        Assert.Equal("postmaster", AddressParts.LocalPart(address));
        Assert.Equal(string.Empty, AddressParts.DomainOrNull(address));
        Assert.False(AddressParts.TrySplit(address, out _, out _));
    }
}
