using MailRelay.Fuzz.Targets;

namespace MailRelay.Fuzz;

/// <summary>
/// The targets by name. Each takes one input and throws when an invariant breaks; an input that is merely
/// refused (a parse status, a documented exception) returns normally.
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["smtp-command"] = SmtpCommandTarget.Run,
        ["proxy-header"] = ProxyHeaderTarget.Run,
        ["data-decoder"] = DataDecoderTarget.Run,
        ["dkim-canonicalization"] = DkimCanonicalizationTarget.Run,
        ["queue-codecs"] = QueueCodecTarget.Run,
        ["configuration-syntax"] = ConfigurationSyntaxTarget.Run,
    };
}
