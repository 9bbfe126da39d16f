using System.Globalization;
using MailRelay.Smtp.Protocol;
using MailRelay.Smtp.Session;

namespace MailRelay.Smtp.Commands;

/// <summary>
/// MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531) and
/// ENVID/RET (RFC 3461) and, when this session's EHLO offered AUTH, AUTH (RFC 4954 §5). Parameters are only accepted after EHLO.
/// XARRIVAL (a private extension, RFC 5321 §4.1.5) is offered only to <see cref="SmtpServerOptions.ArrivalTimePeers"/>.
/// </summary>
public sealed class MailCommand : ISmtpCommand
{
    /// <summary>
    /// The EHLO keyword and MAIL parameter that carries a handed-over message's original arrival time, as Unix
    /// milliseconds (<c>XARRIVAL=1796540400123</c>), so its queue lifetime and delay warnings do not start again.
    /// </summary>
    public const string ArrivalTimeKeyword = "XARRIVAL";

    private const int MaxEnvelopeIdLength = 100;
    private const int MaxArrivalDigits = 15;

    public string Verb => "MAIL";

    public async ValueTask<SmtpReply> ExecuteAsync(SmtpSession session, string arguments, CancellationToken cancellationToken)
    {
        if (!arguments.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            return SmtpReplies.SyntaxError("Syntax: MAIL FROM:<address>");
        }

        var status = MailboxParser.TryParsePath(arguments[5..], allowUtf8: true, allowNull: true, allowPostmaster: false, out var sender, out var rest);
        if (status != PathParseStatus.Ok)
        {
            return SmtpReplies.BadSenderAddress();
        }

        var parameters = EsmtpParameters.Parse(rest);
        if (parameters is null)
        {
            return SmtpReplies.SyntaxError("Error: bad MAIL parameter syntax");
        }

        if (parameters.Count > 0 && !session.Context.IsExtended)
        {
            return SmtpReplies.ParameterNotRecognized("Error: parameters need EHLO");
        }

        var authOffered = SessionStateTable.AuthOffered(session);
        var arrivalOffered = ArrivalTimeOffered(session);
        var unknown = parameters.Keywords.FirstOrDefault(k => k is not ("SIZE" or "BODY" or "SMTPUTF8" or "ENVID" or "RET")
            && !(k == "AUTH" && authOffered) && !(k == ArrivalTimeKeyword && arrivalOffered));
        if (unknown is not null)
        {
            return SmtpReplies.ParameterNotRecognized($"Unsupported option: {unknown}");
        }

        var smtpUtf8 = parameters.Contains("SMTPUTF8");
        if (smtpUtf8 && parameters.Value("SMTPUTF8") is not null)
        {
            return SmtpReplies.SyntaxError("Error: SMTPUTF8 takes no value");
        }

        if (!smtpUtf8 && sender.Any(c => c > 127))
        {
            return SmtpReplies.NonAsciiAddressNotPermitted();
        }

        long? size = null;
        if (parameters.Contains("SIZE"))
        {
            var text = parameters.Value("SIZE");
            if (text is null || text.Length > 19 || !text.All(char.IsAsciiDigit))
            {
                return SmtpReplies.SyntaxError("Error: bad SIZE value");
            }

            size = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            if (size > session.Options.MaxMessageSize)
            {
                return SmtpReplies.MessageTooBig();
            }
        }

        var body = BodyType.SevenBit;
        if (parameters.Contains("BODY"))
        {
            var text = parameters.Value("BODY");
            if (text is null)
            {
                return SmtpReplies.SyntaxError("Error: BODY needs a value");
            }

            if (text.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase))
            {
                body = BodyType.EightBitMime;
            }
            else if (!text.Equals("7BIT", StringComparison.OrdinalIgnoreCase))
            {
                return SmtpReplies.ParameterValueNotImplemented($"Unsupported BODY type: {text}");
            }
        }

        var envelopeId = parameters.Value("ENVID");
        if (parameters.Contains("ENVID") && (envelopeId is null || envelopeId.Length > MaxEnvelopeIdLength || !Xtext.IsValid(envelopeId)))
        {
            return SmtpReplies.SyntaxError("Error: bad ENVID value");
        }

        var ret = parameters.Value("RET")?.ToUpperInvariant();
        if (parameters.Contains("RET") && ret is not ("FULL" or "HDRS"))
        {
            return SmtpReplies.SyntaxError("Error: RET must be FULL or HDRS");
        }

        // The submitter a previous hop vouched for is not needed for relaying, so a well-formed value is accepted and ignored.
        var submitter = parameters.Value("AUTH");
        if (parameters.Contains("AUTH") && (submitter is null || (submitter != "<>" && !Xtext.IsValid(submitter))))
        {
            return SmtpReplies.SyntaxError("Error: bad AUTH value");
        }

        DateTimeOffset? arrival = null;
        if (parameters.Contains(ArrivalTimeKeyword))
        {
            var text = parameters.Value(ArrivalTimeKeyword);
            if (text is null || text.Length > MaxArrivalDigits || !text.All(char.IsAsciiDigit))
            {
                return SmtpReplies.SyntaxError("Error: bad XARRIVAL value");
            }

            arrival = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture));
        }

        var transaction = new MailTransaction(sender)
        {
            OriginalArrival = arrival,
            DeclaredSize = size,
            Body = body,
            SmtpUtf8 = smtpUtf8,
            EnvelopeId = envelopeId,
            Return = ret,
        };
        var reply = await session.Handler.OnMailFromAsync(session.Context, transaction, cancellationToken);
        if (reply is { IsPositive: false })
        {
            return reply;
        }

        session.BeginTransaction(transaction);
        return reply ?? new SmtpReply(250, "2.1.0", "Ok");
    }

    /// <summary>Whether this session's client is a peer that may give XARRIVAL.</summary>
    public static bool ArrivalTimeOffered(SmtpSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Context.RemoteAddress is { } address && session.Options.ArrivalTimePeers.Contains(address);
    }
}
