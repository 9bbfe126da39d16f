using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace MailRelay.Smtp.Tests.Proxy;

/// <summary>Wire images of PROXY headers, built from the specification's layout.</summary>
internal static class ProxyHeaders
{
    public static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(string line) => Encoding.ASCII.GetBytes(line);

    public static byte[] V2(byte versionCommand, byte familyTransport, byte[] payload, int? declaredLength = null)
    {
        var header = new byte[16 + payload.Length];
        V2Signature.CopyTo(header, 0);
        header[12] = versionCommand;
        header[13] = familyTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(declaredLength ?? payload.Length));
        payload.CopyTo(header, 16);
        return header;
    }

    /// <summary>A v2 PROXY header over TCP for the given endpoints, followed by the given TLVs.</summary>
    public static byte[] V2Proxy(IPEndPoint source, IPEndPoint destination, params byte[][] tlvs)
    {
        var isV6 = source.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var addresses = new List<byte>();
        addresses.AddRange(source.Address.GetAddressBytes());
        addresses.AddRange(destination.Address.GetAddressBytes());
        addresses.AddRange(Port(source.Port));
        addresses.AddRange(Port(destination.Port));
        foreach (var tlv in tlvs)
        {
            addresses.AddRange(tlv);
        }

        return V2(0x21, isV6 ? (byte)0x21 : (byte)0x11, [.. addresses]);
    }

    public static byte[] Tlv(byte type, byte[] value)
    {
        var tlv = new byte[3 + value.Length];
        tlv[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(tlv.AsSpan(1), (ushort)value.Length);
        value.CopyTo(tlv, 3);
        return tlv;
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Port(int port)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)port);
        return bytes;
    }
}
