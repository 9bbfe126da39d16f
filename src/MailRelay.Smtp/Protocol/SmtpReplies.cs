namespace MailRelay.Smtp.Protocol;

/// <summary>The engine's standard replies, with the codes RFC 5321, RFC 3463 and RFC 3030 ask for.</summary>
public static class SmtpReplies
{
    public static SmtpReply Greeting(string host) => new(220, null, $"{host} ESMTP MailRelay");

    public static SmtpReply Closing(string host) => new(221, "2.0.0", $"{host} Bye") { ClosesConnection = true };

    public static SmtpReply StartData() => new(354, "2.0.0", "End data with <CR><LF>.<CR><LF>");

    public static SmtpReply ReadyForTls() => new(220, "2.0.0", "Ready to start TLS");

    public static SmtpReply CannotVerify() => new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    public static SmtpReply Help() => new(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP; see RFC 5321");

    public static SmtpReply ChunkReceived(long octets) => new(250, "2.0.0", $"{octets} octets received");

    public static SmtpReply UnknownCommand() => new(500, "5.5.2", "Error: command not recognized");

    public static SmtpReply LineTooLong() => new(500, "5.5.2", "Line too long");

    public static SmtpReply SyntaxError(string text = "Syntax error in parameters or arguments") => new(501, "5.5.4", text);

    public static SmtpReply BadSenderAddress() => new(501, "5.1.7", "Bad sender address syntax");

    public static SmtpReply BadRecipientAddress() => new(501, "5.1.3", "Bad recipient address syntax");

    public static SmtpReply NonAsciiAddressNotPermitted() => new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    public static SmtpReply NotImplemented() => new(502, "5.5.1", "Error: command not implemented");

    public static SmtpReply BadSequence(string text = "Error: bad sequence of commands") => new(503, "5.5.1", text);

    public static SmtpReply ParameterValueNotImplemented(string text) => new(504, "5.5.4", text);

    public static SmtpReply ParameterNotRecognized(string text = "Unsupported option") => new(555, "5.5.4", text);

    public static SmtpReply MessageTooBig() => new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    public static SmtpReply TooManyRecipients() => new(452, "4.5.3", "Error: too many recipients");

    public static SmtpReply NoValidRecipients() => new(554, "5.5.1", "Error: no valid recipients");

    public static SmtpReply BareNewlineRefused() =>
        new(550, "5.5.2", "Message refused: bare CR or LF in message content (RFC 5321 2.3.8)");

    public static SmtpReply ProxyHeaderRefused() => new(554, "5.7.0", "PROXY header not accepted") { ClosesConnection = true };

    public static SmtpReply PipelinedAfterStartTls() =>
        new(554, "5.5.1", "Error: command pipelined after STARTTLS") { ClosesConnection = true };

    public static SmtpReply AuthChallenge(string base64) => new(334, null, base64);

    public static SmtpReply AuthSucceeded() => new(235, "2.7.0", "Authentication successful");

    public static SmtpReply AuthFailed() => new(535, "5.7.8", "Authentication credentials invalid");

    public static SmtpReply AuthCancelled() => new(501, "5.7.0", "Authentication cancelled");

    public static SmtpReply AuthResponseMalformed() => new(501, "5.5.2", "Cannot decode the authentication response");

    public static SmtpReply AuthMechanismUnknown() => new(504, "5.5.4", "Unrecognized authentication type");

    public static SmtpReply AuthEncryptionRequired() => new(538, "5.7.11", "Encryption required for requested authentication mechanism");

    public static SmtpReply AuthTemporaryFailure() => new(454, "4.7.0", "Temporary authentication failure");

    public static SmtpReply LocalError(string host) => new(421, "4.3.0", $"{host} Error: local error in processing") { ClosesConnection = true };

    public static SmtpReply Timeout(string host) => new(421, "4.4.2", $"{host} Error: timeout exceeded") { ClosesConnection = true };

    public static SmtpReply SessionTooLong(string host) => new(421, "4.4.2", $"{host} Error: session time limit exceeded") { ClosesConnection = true };

    public static SmtpReply ShuttingDown(string host) => new(421, "4.3.2", $"{host} Service shutting down") { ClosesConnection = true };

    public static SmtpReply TooManyErrors(string host) => new(421, "4.7.0", $"{host} Error: too many errors") { ClosesConnection = true };
}
