namespace MailRelay.Dkim;

/// <summary>The "relaxed" header canonicalization of RFC 6376 §3.4.2.</summary>
internal static class RelaxedCanonicalization
{
    /// <summary>
    /// <c>name:value CRLF</c> with the name lower case, the value unfolded, runs of SP/HTAB reduced to one SP,
    /// and whitespace around the colon and at the end removed. Without the CRLF when <paramref name="withCrlf"/> is false
    /// (the DKIM-Signature field itself is hashed without it).
    /// </summary>
    public static byte[] Header(string name, ReadOnlySpan<byte> value, bool withCrlf)
    {
        var output = new List<byte>(name.Length + value.Length + 2);
        foreach (var c in name)
        {
            output.Add((byte)char.ToLowerInvariant(c));
        }

        output.Add((byte)':');
        var pendingSpace = false;
        var started = false;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b == (byte)'\r' && i + 1 < value.Length && value[i + 1] == (byte)'\n')
            {
                // Unfolding removes the CRLF; the whitespace that follows it is then reduced like any other.
                i++;
                continue;
            }

            if (b is (byte)' ' or (byte)'\t')
            {
                pendingSpace = started;
                continue;
            }

            if (pendingSpace)
            {
                output.Add((byte)' ');
                pendingSpace = false;
            }

            output.Add(b);
            started = true;
        }

        if (withCrlf)
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }

        return [.. output];
    }
}
