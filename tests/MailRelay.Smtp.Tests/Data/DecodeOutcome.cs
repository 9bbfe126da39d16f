using System.Text;

namespace MailRelay.Smtp.Tests.Data;

public sealed record DecodeOutcome(byte[] Output, int Consumed, bool Complete, bool BareCr, bool BareLf, bool Refused)
{
    public string Text => Encoding.UTF8.GetString(Output);

    public string Signature => $"{Convert.ToHexString(Output)}|{Consumed}|{Complete}|{BareCr}|{BareLf}|{Refused}";
}
