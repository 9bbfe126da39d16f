using ARSoft.Tools.Net.Dns;

namespace MailRelay.DnsPublishing.Rfc2136;

/// <summary>
/// The RCODE mnemonics of the IANA registry (NOERROR, REFUSED, NOTAUTH, BADSIG…). Operators grep for these words
/// in BIND's and Knot's logs, so errors carry them instead of the library's enum names ("NotAuthoritive").
/// </summary>
internal static class ResponseCodeText
{
    /// <summary>The mnemonic of a message's RCODE.</summary>
    public static string Of(ReturnCode code) => Name(code, tsig: false);

    /// <summary>The mnemonic of a TSIG record's error field, where 16 means BADSIG (not BADVERS).</summary>
    public static string OfTsigError(ReturnCode code) => Name(code, tsig: true);

    private static string Name(ReturnCode code, bool tsig) => (int)code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => tsig ? "BADSIG" : "BADVERS",
        17 => "BADKEY",
        18 => "BADTIME",
        19 => "BADMODE",
        20 => "BADNAME",
        21 => "BADALG",
        22 => "BADTRUNC",
        23 => "BADCOOKIE",
        var other => "RCODE " + other.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
