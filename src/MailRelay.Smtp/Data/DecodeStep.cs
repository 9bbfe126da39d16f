namespace MailRelay.Smtp.Data;

/// <summary>
/// One step of a content decoder over an input span: <see cref="Consumed"/> input bytes were used;
/// the input bytes <c>[EmitStart, EmitStart + EmitLength)</c> are content, followed by a CRLF when
/// <see cref="AppendLineBreak"/> (a normalised bare LF).
/// </summary>
public readonly record struct DecodeStep(int Consumed, int EmitStart, int EmitLength, bool AppendLineBreak);
