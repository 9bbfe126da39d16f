using System.Net;
using System.Text;
using MailRelay.Smtp.Proxy;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>Named headers for the parser tests: valid ones with the header they must yield, and malformed ones.</summary>
internal static class ProxyHeaderSamples
{
    private static readonly IPEndPoint V4Source = IPEndPoint.Parse("192.0.2.10:56324");
    private static readonly IPEndPoint V4Destination = IPEndPoint.Parse("198.51.100.20:25");
    private static readonly IPEndPoint V6Source = IPEndPoint.Parse("[2001:db8::10]:40000");
    private static readonly IPEndPoint V6Destination = IPEndPoint.Parse("[2001:db8:ffff::1]:587");

    public static IReadOnlyDictionary<string, (byte[] Bytes, ProxyHeader Expected)> Valid { get; } = BuildValid();

    public static IReadOnlyDictionary<string, byte[]> Malformed { get; } = BuildMalformed();

    private static Dictionary<string, (byte[], ProxyHeader)> BuildValid()
    {
        var cases = new Dictionary<string, (byte[], ProxyHeader)>();

        void Add(string name, byte[] bytes, int version, bool isLocal, IPEndPoint? source, IPEndPoint? destination) =>
            cases.Add(name, (bytes, new ProxyHeader(version, isLocal, source, destination, bytes.Length)));

        Add("v1 TCP4", ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324 25\r\n"), 1, false, V4Source, V4Destination);
        Add("v1 TCP6", ProxyHeaders.V1("PROXY TCP6 2001:db8::10 2001:db8:ffff::1 40000 587\r\n"), 1, false, V6Source, V6Destination);
        Add("v1 TCP4 ports 0 and 65535", ProxyHeaders.V1("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"), 1, false,
            IPEndPoint.Parse("0.0.0.0:0"), IPEndPoint.Parse("255.255.255.255:65535"));
        Add("v1 UNKNOWN", ProxyHeaders.V1("PROXY UNKNOWN\r\n"), 1, false, null, null);
        Add("v1 UNKNOWN with ignored rest", ProxyHeaders.V1("PROXY UNKNOWN ffff:f...f:ffff 0 0\r\n"), 1, false, null, null);
        Add("v1 at the 107-byte limit", ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 107 - 16) + "\r\n"), 1, false, null, null);
        Add("v2 PROXY IPv4", ProxyHeaders.V2Proxy(V4Source, V4Destination), 2, false, V4Source, V4Destination);
        Add("v2 PROXY IPv6", ProxyHeaders.V2Proxy(V6Source, V6Destination), 2, false, V6Source, V6Destination);
        Add("v2 PROXY IPv4 with TLVs", ProxyHeaders.V2Proxy(
                V4Source,
                V4Destination,
                ProxyHeaders.Tlv(0x01, Encoding.ASCII.GetBytes("smtp")),
                ProxyHeaders.Tlv(0x02, Encoding.ASCII.GetBytes("mail.example.com")),
                ProxyHeaders.Tlv(0x04, []),
                ProxyHeaders.Tlv(0x03, [1, 2, 3, 4])),
            2, false, V4Source, V4Destination);
        Add("v2 PROXY IPv6 with TLV", ProxyHeaders.V2Proxy(V6Source, V6Destination, ProxyHeaders.Tlv(0x05, new byte[128])),
            2, false, V6Source, V6Destination);
        Add("v2 LOCAL", ProxyHeaders.V2(0x20, 0x00, []), 2, true, null, null);
        Add("v2 LOCAL with a discarded block", ProxyHeaders.V2(0x20, 0x11, new byte[12]), 2, true, null, null);
        Add("v2 PROXY AF_UNSPEC", ProxyHeaders.V2(0x21, 0x00, []), 2, false, null, null);
        Add("v2 PROXY AF_UNIX", ProxyHeaders.V2(0x21, 0x31, new byte[216]), 2, false, null, null);
        Add("v2 PROXY IPv4 DGRAM", ProxyHeaders.V2(0x21, 0x12, new byte[12]), 2, false, null, null);
        Add("v2 at the length bound", ProxyHeaders.V2Proxy(V4Source, V4Destination, ProxyHeaders.Tlv(0x04, new byte[2048 - 12 - 3])),
            2, false, V4Source, V4Destination);
        return cases;
    }

    private static Dictionary<string, byte[]> BuildMalformed()
    {
        var v2Ipv4 = ProxyHeaders.V2Proxy(V4Source, V4Destination);
        var badSignature = (byte[])v2Ipv4.Clone();
        badSignature[7] = (byte)'q';

        return new Dictionary<string, byte[]>
        {
            ["not a header at all"] = ProxyHeaders.V1("EHLO client.example\r\n"),
            ["lower-case proxy"] = ProxyHeaders.V1("proxy TCP4 192.0.2.10 198.51.100.20 56324 25\r\n"),
            ["lower-case protocol"] = ProxyHeaders.V1("PROXY tcp4 192.0.2.10 198.51.100.20 56324 25\r\n"),
            ["double space after PROXY"] = ProxyHeaders.V1("PROXY  TCP4 192.0.2.10 198.51.100.20 56324 25\r\n"),
            ["double space between addresses"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10  198.51.100.20 56324 25\r\n"),
            ["trailing space"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324 25 \r\n"),
            ["tab separator"] = ProxyHeaders.V1("PROXY TCP4\t192.0.2.10 198.51.100.20 56324 25\r\n"),
            ["missing field"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324\r\n"),
            ["extra field"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324 25 26\r\n"),
            ["bare LF"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324 25\n"),
            ["CR inside the line"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10\r198.51.100.20 56324 25\r\n"),
            ["NUL inside the line"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10\0198.51.100.20 56324 25\r\n"),
            ["unknown protocol"] = ProxyHeaders.V1("PROXY UDP4 192.0.2.10 198.51.100.20 56324 25\r\n"),
            ["UNKNOWN glued to text"] = ProxyHeaders.V1("PROXY UNKNOWNX\r\n"),
            ["PROXY without protocol"] = ProxyHeaders.V1("PROXY\r\n"),
            ["port above 65535"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 65536 25\r\n"),
            ["port with leading zero"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 056324 25\r\n"),
            ["port with sign"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 +5632 25\r\n"),
            ["negative port"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 -1 25\r\n"),
            ["hex port"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 198.51.100.20 56324 0x19\r\n"),
            ["TCP4 with IPv6 address"] = ProxyHeaders.V1("PROXY TCP4 2001:db8::10 198.51.100.20 56324 25\r\n"),
            ["TCP6 with IPv4 address"] = ProxyHeaders.V1("PROXY TCP6 192.0.2.10 2001:db8:ffff::1 40000 587\r\n"),
            ["IPv4 octet with leading zero"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.010 198.51.100.20 56324 25\r\n"),
            ["IPv4 octet above 255"] = ProxyHeaders.V1("PROXY TCP4 192.0.2.256 198.51.100.20 56324 25\r\n"),
            ["IPv4 with three parts"] = ProxyHeaders.V1("PROXY TCP4 192.0.2 198.51.100.20 56324 25\r\n"),
            ["IPv4 as one integer"] = ProxyHeaders.V1("PROXY TCP4 3221225994 198.51.100.20 56324 25\r\n"),
            ["IPv6 with scope id"] = ProxyHeaders.V1("PROXY TCP6 fe80::1%eth0 2001:db8:ffff::1 40000 587\r\n"),
            ["IPv6 in brackets"] = ProxyHeaders.V1("PROXY TCP6 [2001:db8::10] 2001:db8:ffff::1 40000 587\r\n"),
            ["v1 too long without CRLF"] = ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 200)),
            ["v1 one byte over the limit"] = ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', 108 - 16) + "\r\n"),
            ["v2 bad signature"] = badSignature,
            ["v2 version 1"] = ProxyHeaders.V2(0x11, 0x11, new byte[12]),
            ["v2 version 3"] = ProxyHeaders.V2(0x31, 0x11, new byte[12]),
            ["v2 unknown command"] = ProxyHeaders.V2(0x22, 0x11, new byte[12]),
            ["v2 unknown family"] = ProxyHeaders.V2(0x21, 0x41, new byte[12]),
            ["v2 unknown transport"] = ProxyHeaders.V2(0x21, 0x13, new byte[12]),
            ["v2 length beyond the bound"] = ProxyHeaders.V2(0x21, 0x11, new byte[2049]),
            ["v2 length field claiming 65535"] = ProxyHeaders.V2(0x21, 0x11, new byte[12], declaredLength: 65535),
            ["v2 IPv4 block too short"] = ProxyHeaders.V2(0x21, 0x11, new byte[11]),
            ["v2 IPv6 block too short"] = ProxyHeaders.V2(0x21, 0x21, new byte[35]),
            ["v2 AF_UNIX block too short"] = ProxyHeaders.V2(0x21, 0x31, new byte[215]),
            ["v2 TLV value truncated"] = ProxyHeaders.V2Proxy(V4Source, V4Destination, [0x04, 0x00, 0x0A, 1, 2, 3, 4, 5]),
            ["v2 TLV header truncated"] = ProxyHeaders.V2Proxy(V4Source, V4Destination, [0x04, 0x00]),
            ["v2 second TLV truncated"] = ProxyHeaders.V2Proxy(V4Source, V4Destination, ProxyHeaders.Tlv(0x01, [1, 2]), [0x02, 0x00, 0x05, 1]),
        };
    }
}
