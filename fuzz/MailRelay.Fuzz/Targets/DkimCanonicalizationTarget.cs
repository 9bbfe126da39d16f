using System.Security.Cryptography;
using MailRelay.Dkim;

namespace MailRelay.Fuzz.Targets;

/// <summary>
/// DKIM relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4) over a whole message. The first byte picks the
/// read buffer size. The header section splits into fields that put together give back the bytes read
/// (or fails with <see cref="DkimMessageFormatException"/> alone), the same for every buffer size; each
/// field's canonical form is idempotent and has no folding, doubled or trailing whitespace; the body hash
/// is the same however the body is fed, equals SHA-256 of a line-by-line reading of the RFC, and is
/// unchanged when the body is canonicalized first.
/// </summary>
internal static class DkimCanonicalizationTarget
{
    private const int MaxHeaderBytes = 16 * 1024;

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var bufferSize = 1 + (input[0] % 64);
        var message = input.AsSpan(1).ToArray();

        var small = ReadSection(message, bufferSize);
        var large = ReadSection(message, 4096);
        Invariant.Equal(large.Outcome, small.Outcome, $"buffer of {bufferSize} bytes: same header fields or error");
        if (large.Fields is { } fields)
        {
            var joined = fields.SelectMany(f => f.Raw).ToArray();
            var blankLine = message.Length - joined.Length - large.Body.Length;
            Invariant.Holds(blankLine is 0 or 2, "the fields, the blank line and the body are the whole message");
            Invariant.SameBytes(message.AsSpan(0, joined.Length), joined, "the fields put together are the header section");
            Invariant.SameBytes(message.AsSpan(message.Length - large.Body.Length), large.Body, "the body is what follows the blank line");
            foreach (var field in fields)
            {
                CheckField(field);
            }
        }

        // Any bytes as one value, under the precondition every stored message meets: DATA and BDAT refuse a
        // bare CR, and without one, dropping a CRLF can never join a CR and an LF into a new line break.
        if (!HasBareCarriageReturn(message))
        {
            CheckHeaderCanonicalization("X-Fuzz", message);
        }
        CheckBodyHash(message, bufferSize);
    }

    private static bool HasBareCarriageReturn(byte[] data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == (byte)'\r' && (i + 1 == data.Length || data[i + 1] != (byte)'\n'))
            {
                return true;
            }
        }

        return false;
    }

    private static Section ReadSection(byte[] message, int bufferSize)
    {
        using var stream = new MemoryStream(message, writable: false);
        HeaderSection section;
        try
        {
            section = HeaderSection.ReadAsync(stream, new byte[bufferSize], MaxHeaderBytes, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (DkimMessageFormatException ex)
        {
            return new Section("error: " + ex.Message, null, []);
        }

        var body = section.BodyStart.Concat(ReadRest(stream)).ToArray();
        var outcome = string.Join("|", section.Fields.Select(f => f.Name + "=" + Convert.ToHexString(f.Raw)));
        return new Section(outcome, section.Fields, body);
    }

    private static byte[] ReadRest(Stream stream)
    {
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        return rest.ToArray();
    }

    private static void CheckField(RawHeaderField field)
    {
        Invariant.Holds(field.Name.Length > 0 && !field.Name.EndsWith(' ') && !field.Name.EndsWith('\t'), "a field name is not empty and has no trailing whitespace");
        Invariant.Holds(!field.Name.Contains(':', StringComparison.Ordinal), "a field name has no colon");
        CheckHeaderCanonicalization(field.Name, field.Value);
    }

    private static void CheckHeaderCanonicalization(string name, ReadOnlySpan<byte> value)
    {
        var canonical = RelaxedCanonicalization.Header(name, value, withCrlf: false);
        var withCrlf = RelaxedCanonicalization.Header(name, value, withCrlf: true);
        Invariant.SameBytes([.. canonical, .. "\r\n"u8], withCrlf, "withCrlf adds exactly CRLF");

        var colon = Array.IndexOf(canonical, (byte)':');
        Invariant.Equal(name.Length, colon, "the canonical field starts with the name and a colon");
        Invariant.Holds(canonical.AsSpan(0, colon).ToArray().All(b => b is < (byte)'A' or > (byte)'Z'), "the canonical name is lower case");
        var canonicalValue = canonical.AsSpan(colon + 1);
        Invariant.Holds(canonicalValue.IndexOf("\r\n"u8) < 0, "the canonical value is unfolded");
        Invariant.Holds(canonicalValue.IndexOf((byte)'\t') < 0 && canonicalValue.IndexOf("  "u8) < 0, "whitespace runs are one space");
        Invariant.Holds(canonicalValue.IsEmpty || (canonicalValue[0] != (byte)' ' && canonicalValue[^1] != (byte)' '), "no whitespace around the value");

        var again = RelaxedCanonicalization.Header(name.ToLowerInvariant(), canonicalValue, withCrlf: false);
        Invariant.SameBytes(canonical, again, "relaxed header canonicalization is idempotent");
    }

    private static void CheckBodyHash(byte[] body, int chunkSize)
    {
        var whole = Hash([body]);
        var chunks = body.Chunk(chunkSize).ToArray();
        Invariant.SameBytes(whole, Hash(chunks), $"body fed in {chunkSize}-byte chunks: same hash");
        var reference = CanonicalBody(body);
        Invariant.SameBytes(SHA256.HashData(reference), whole, "the body hash is SHA-256 of the relaxed body");
        Invariant.SameBytes(whole, Hash([reference]), "hashing the canonical body gives the same hash");
    }

    private static byte[] Hash(IEnumerable<byte[]> chunks)
    {
        using var hasher = new RelaxedBodyHasher();
        foreach (var chunk in chunks)
        {
            hasher.Append(chunk);
        }

        return hasher.Finish();
    }

    /// <summary>
    /// RFC 6376 §3.4.4 read line by line: lines end in CRLF (a bare CR or LF is content); in each line runs of
    /// SP/HTAB become one SP and whitespace at the end goes; empty lines at the end go; every line keeps its CRLF.
    /// </summary>
    private static byte[] CanonicalBody(byte[] body)
    {
        var lines = new List<List<byte>>();
        var current = new List<byte>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == (byte)'\r' && i + 1 < body.Length && body[i + 1] == (byte)'\n')
            {
                lines.Add(current);
                current = [];
                i++;
            }
            else
            {
                current.Add(body[i]);
            }
        }

        if (current.Count > 0)
        {
            lines.Add(current);
        }

        var canonicalLines = lines.Select(ReduceWhitespace).ToList();
        while (canonicalLines.Count > 0 && canonicalLines[^1].Count == 0)
        {
            canonicalLines.RemoveAt(canonicalLines.Count - 1);
        }

        return [.. canonicalLines.SelectMany(line => line.Concat("\r\n"u8.ToArray()))];
    }

    private static List<byte> ReduceWhitespace(List<byte> line)
    {
        var output = new List<byte>(line.Count);
        var space = false;
        foreach (var b in line)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                space = true;
                continue;
            }

            if (space)
            {
                output.Add((byte)' ');
                space = false;
            }

            output.Add(b);
        }

        return output;
    }

    private sealed record Section(string Outcome, IReadOnlyList<RawHeaderField>? Fields, byte[] Body);
}
