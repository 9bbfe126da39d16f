using System.IO.Compression;
using System.Text;
using MailRelay.Policy.Senders;

namespace MailRelay.Tests.Inbound;

/// <summary>
/// Reports as their senders write them: an RFC 3464 DSN, an RFC 5965 ARF report, and DMARC aggregate reports in the
/// schema of RFC 7489 appendix C and in the published formats of Google (zip), Microsoft (gzip, xsi namespaces,
/// envelope_to) and Yahoo (gzip), each as the attachment of a message the way the provider sends it.
/// </summary>
internal static class InboundSamples
{
    /// <summary>2026-12-04 00:00:00 UTC, the start of the sample reports' day.</summary>
    public const long ReportBegin = 1796342400;

    public const long ReportEnd = ReportBegin + 86399;

    /// <summary>A DSN from the recipient's MX (Postfix's), returned to <paramref name="returnPath"/>, with the headers of our message.</summary>
    public static string Dsn(string returnPath, string action = "failed", string status = "5.1.1")
    {
        var returned = OurHeader(returnPath, "jane@remote.example", 42, "order-42.1796465700@ours.example", "Sat, 05 Dec 2026 10:15:00 +0000", """
            Received: from relay.test.example (relay.test.example [203.0.113.25])
            	by mx1.remote.example (Postfix) with ESMTPS id 8C1F2
            	for <jane@remote.example>; Sat,  5 Dec 2026 10:15:01 +0000 (UTC)
            """);
        return MultipartReport(
            $"""
            Return-Path: <>
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx1.remote.example>
            To: <{returnPath}>
            Subject: Undelivered Mail Returned to Sender
            Date: Sat, 05 Dec 2026 10:15:02 +0000
            Message-ID: <20261205101502.8C1F2@mx1.remote.example>
            Auto-Submitted: auto-replied
            """,
            "delivery-status",
            "8C1F2.1796465702/mx1.remote.example",
            "This is a MIME-encapsulated message.",
            """
            Content-Description: Notification
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mx1.remote.example.

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients.

            <jane@remote.example>: host mx1.remote.example said: 550 5.1.1
                <jane@remote.example>: Recipient address rejected: User unknown
            """,
            $"""
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx1.remote.example
            X-Postfix-Queue-ID: 8C1F2
            Arrival-Date: Sat,  5 Dec 2026 10:15:01 +0000 (UTC)

            Final-Recipient: rfc822; jane@remote.example
            Original-Recipient: rfc822;jane@remote.example
            Action: {action}
            Status: {status}
            Remote-MTA: dns; mx1.remote.example
            Diagnostic-Code: smtp; 550 5.1.1 <jane@remote.example>: Recipient address
                rejected: User unknown
            """,
            $"""
            Content-Description: Undelivered Message Headers
            Content-Type: text/rfc822-headers

            {returned}
            """);
    }

    /// <summary>An ARF abuse report from a mailbox provider's feedback loop, about a message sent with <paramref name="returnPath"/>.</summary>
    public static string Arf(string to, string returnPath, string messageId = "order-43.1796465800@ours.example")
    {
        var returned = OurHeader(returnPath, "mark@mailbox.example", 43, messageId, "Sat, 05 Dec 2026 10:16:39 +0000", """
            Received: from relay.test.example (relay.test.example [203.0.113.25])
            	by mx4.mailbox.example with ESMTPS; Sat, 05 Dec 2026 10:16:40 +0000
            """);
        return MultipartReport(
            $"""
            From: Feedback Loop <fbl@feedback.mailbox.example>
            Date: Sat, 05 Dec 2026 11:02:44 +0000
            Subject: FW: Your order 43
            To: <{to}>
            Message-ID: <fbl-77120@feedback.mailbox.example>
            """,
            "feedback-report",
            "part1_13d.2e68ed54_arf",
            null,
            """
            Content-Type: text/plain; charset="US-ASCII"
            Content-Transfer-Encoding: 7bit

            This is an email abuse report for an email message received from IP
            203.0.113.25 on Sat, 05 Dec 2026 10:16:40 +0000.
            For more information about this format please see
            https://www.rfc-editor.org/rfc/rfc5965.
            """,
            $"""
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: MailboxFBL/2.3
            Version: 1
            Original-Mail-From: <{returnPath}>
            Original-Rcpt-To: <mark@mailbox.example>
            Arrival-Date: Sat, 05 Dec 2026 10:16:40 +0000
            Reporting-MTA: dns; mx4.mailbox.example
            Source-IP: 203.0.113.25
            Authentication-Results: mx4.mailbox.example;
            	spf=pass smtp.mailfrom=ours.example; dkim=pass header.d=ours.example
            Reported-Domain: ours.example
            """,
            $"""
            Content-Type: message/rfc822
            Content-Disposition: inline

            {returned}
            MIME-Version: 1.0
            Content-Type: text/plain; charset=us-ascii

            Thank you for your order.
            """);
    }

    /// <summary>A report in the schema of RFC 7489 appendix C, every optional element present.</summary>
    public const string SchemaReport = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback>
          <version>1.0</version>
          <report_metadata>
            <org_name>receiver.example</org_name>
            <email>dmarc-reports@receiver.example</email>
            <extra_contact_info>https://receiver.example/dmarc</extra_contact_info>
            <report_id>receiver.example:1796342400</report_id>
            <date_range>
              <begin>1796342400</begin>
              <end>1796428799</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>ours.example</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>reject</p>
            <sp>reject</sp>
            <pct>100</pct>
            <fo>1</fo>
          </policy_published>
          <record>
            <row>
              <source_ip>203.0.113.25</source_ip>
              <count>2</count>
              <policy_evaluated>
                <disposition>none</disposition>
                <dkim>pass</dkim>
                <spf>pass</spf>
              </policy_evaluated>
            </row>
            <identifiers>
              <envelope_to>receiver.example</envelope_to>
              <envelope_from>ours.example</envelope_from>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <dkim>
                <domain>ours.example</domain>
                <selector>mail</selector>
                <result>pass</result>
                <human_result></human_result>
              </dkim>
              <spf>
                <domain>ours.example</domain>
                <scope>mfrom</scope>
                <result>pass</result>
              </spf>
            </auth_results>
          </record>
          <record>
            <row>
              <source_ip>2001:db8::25</source_ip>
              <count>1</count>
              <policy_evaluated>
                <disposition>reject</disposition>
                <dkim>fail</dkim>
                <spf>fail</spf>
                <reason>
                  <type>local_policy</type>
                  <comment>sender not authorised</comment>
                </reason>
              </policy_evaluated>
            </row>
            <identifiers>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <spf>
                <domain>spoofer.example</domain>
                <result>fail</result>
              </spf>
            </auth_results>
          </record>
        </feedback>
        """;

    /// <summary>Google's aggregate report, as its reports are written (no version element, np in the policy).</summary>
    public const string GoogleReport = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <feedback>
          <report_metadata>
            <org_name>google.com</org_name>
            <email>noreply-dmarc-support@google.com</email>
            <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
            <report_id>13852187466519028231</report_id>
            <date_range>
              <begin>1796342400</begin>
              <end>1796428799</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>ours.example</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>none</p>
            <sp>none</sp>
            <pct>100</pct>
            <np>none</np>
          </policy_published>
          <record>
            <row>
              <source_ip>203.0.113.25</source_ip>
              <count>41</count>
              <policy_evaluated>
                <disposition>none</disposition>
                <dkim>pass</dkim>
                <spf>pass</spf>
              </policy_evaluated>
            </row>
            <identifiers>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <dkim>
                <domain>ours.example</domain>
                <result>pass</result>
                <selector>mail</selector>
              </dkim>
              <spf>
                <domain>ours.example</domain>
                <result>pass</result>
              </spf>
            </auth_results>
          </record>
          <record>
            <row>
              <source_ip>198.51.100.77</source_ip>
              <count>3</count>
              <policy_evaluated>
                <disposition>none</disposition>
                <dkim>fail</dkim>
                <spf>pass</spf>
              </policy_evaluated>
            </row>
            <identifiers>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <spf>
                <domain>ours.example</domain>
                <result>pass</result>
              </spf>
            </auth_results>
          </record>
        </feedback>
        """;

    /// <summary>Microsoft's (Outlook.com / Exchange Online) report: version, xsi namespaces, envelope_to, SPF scope.</summary>
    public const string MicrosoftReport = """
        <?xml version="1.0"?>
        <feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <version>1.0</version>
          <report_metadata>
            <org_name>Enterprise Outlook</org_name>
            <email>dmarcreport@microsoft.com</email>
            <report_id>4c3e1b0a9f8d4e2b8a7c6d5e4f3a2b1c</report_id>
            <date_range>
              <begin>1796342400</begin>
              <end>1796428800</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>ours.example</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>quarantine</p>
            <sp>quarantine</sp>
            <pct>100</pct>
            <fo>0</fo>
          </policy_published>
          <record>
            <row>
              <source_ip>192.0.2.200</source_ip>
              <count>5</count>
              <policy_evaluated>
                <disposition>quarantine</disposition>
                <dkim>fail</dkim>
                <spf>fail</spf>
              </policy_evaluated>
            </row>
            <identifiers>
              <envelope_to>outlook.com</envelope_to>
              <envelope_from>spoofer.example</envelope_from>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <spf>
                <domain>spoofer.example</domain>
                <scope>mfrom</scope>
                <result>fail</result>
              </spf>
            </auth_results>
          </record>
        </feedback>
        """;

    /// <summary>Yahoo's report.</summary>
    public const string YahooReport = """
        <?xml version="1.0"?>
        <feedback>
          <report_metadata>
            <org_name>Yahoo</org_name>
            <email>dmarchelp@yahooinc.com</email>
            <report_id>1796428800.601122</report_id>
            <date_range>
              <begin>1796342400</begin>
              <end>1796428799</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>ours.example</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>none</p>
            <pct>100</pct>
          </policy_published>
          <record>
            <row>
              <source_ip>203.0.113.25</source_ip>
              <count>7</count>
              <policy_evaluated>
                <disposition>none</disposition>
                <dkim>pass</dkim>
                <spf>fail</spf>
              </policy_evaluated>
            </row>
            <identifiers>
              <header_from>ours.example</header_from>
            </identifiers>
            <auth_results>
              <dkim>
                <domain>ours.example</domain>
                <selector>mail</selector>
                <result>pass</result>
              </dkim>
              <spf>
                <domain>relay.test.example</domain>
                <result>none</result>
              </spf>
            </auth_results>
          </record>
        </feedback>
        """;

    public static byte[] Gzip(string xml)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(xml));
        }

        return output.ToArray();
    }

    public static byte[] Zip(string entryName, string xml)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry(entryName).Open();
            entry.Write(Encoding.UTF8.GetBytes(xml));
        }

        return output.ToArray();
    }

    /// <summary>A report message as providers send it: a short text part (or none) and the base64 attachment.</summary>
    public static string ReportMessage(string from, string to, string fileName, string contentType, byte[] attachment, bool withTextPart = true)
    {
        var base64 = Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks).ReplaceLineEndings("\r\n");
        var builder = new StringBuilder();
        builder.Append("From: ").Append(from).Append("\r\n");
        builder.Append("To: ").Append(to).Append("\r\n");
        builder.Append("Subject: Report domain: ours.example Submitter: ").Append(SenderAddress.DomainOf(from)).Append(" Report-ID: <").Append(fileName).Append(">\r\n");
        builder.Append("Date: Sat, 05 Dec 2026 01:10:00 +0000\r\n");
        builder.Append("Message-ID: <").Append(fileName.GetHashCode(StringComparison.Ordinal)).Append("@reports.example>\r\n");
        builder.Append("MIME-Version: 1.0\r\n");
        if (withTextPart)
        {
            builder.Append("Content-Type: multipart/mixed; boundary=\"report-boundary\"\r\n\r\n");
            builder.Append("--report-boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is an aggregate report from ").Append(SenderAddress.DomainOf(from)).Append(".\r\n");
            builder.Append("--report-boundary\r\n");
        }

        builder.Append("Content-Type: ").Append(contentType).Append("; name=\"").Append(fileName).Append("\"\r\n");
        builder.Append("Content-Disposition: attachment; filename=\"").Append(fileName).Append("\"\r\n");
        builder.Append("Content-Transfer-Encoding: base64\r\n\r\n");
        builder.Append(base64).Append("\r\n");
        if (withTextPart)
        {
            builder.Append("--report-boundary--\r\n");
        }

        return builder.ToString();
    }

    /// <summary>Google sends the zip as the whole body, no text part.</summary>
    public static string GoogleMessage(string to) => ReportMessage(
        "noreply-dmarc-support@google.com", to, $"google.com!ours.example!{ReportBegin}!{ReportEnd}.zip", "application/zip",
        Zip($"google.com!ours.example!{ReportBegin}!{ReportEnd}.xml", GoogleReport), withTextPart: false);

    public static string MicrosoftMessage(string to) => ReportMessage(
        "dmarcreport@microsoft.com", to, $"enterprise.protection.outlook.com!ours.example!{ReportBegin}!{ReportEnd + 1}.xml.gz", "application/gzip",
        Gzip(MicrosoftReport));

    public static string YahooMessage(string to) => ReportMessage(
        "noreply@dmarc.yahoo.com", to, $"yahoo.com!ours.example!{ReportBegin}!{ReportEnd}.xml.gz", "application/gzip", Gzip(YahooReport));

    public static string SchemaMessage(string to) => ReportMessage(
        "dmarc-reports@receiver.example", to, $"receiver.example!ours.example!{ReportBegin}!{ReportEnd}.xml", "text/xml", Encoding.UTF8.GetBytes(SchemaReport));

    /// <summary>
    /// A multipart/report (RFC 6522) as a reporting system writes it: <paramref name="header"/> (the reporter's fields),
    /// the MIME fields naming <paramref name="reportType"/> and <paramref name="boundary"/>, an optional preamble, then
    /// each part (its fields, a blank line, its body) after a boundary line and the closing boundary; CRLF line ends.
    /// </summary>
    private static string MultipartReport(string header, string reportType, string boundary, string? preamble, params string[] parts)
    {
        var report = new StringBuilder(header).Append('\n');
        report.Append("MIME-Version: 1.0\n");
        report.Append("Content-Type: multipart/report; report-type=").Append(reportType).Append(";\n");
        report.Append("\tboundary=\"").Append(boundary).Append("\"\n\n");
        if (preamble is not null)
        {
            report.Append(preamble).Append("\n\n");
        }

        foreach (var part in parts)
        {
            report.Append("--").Append(boundary).Append('\n').Append(part).Append("\n\n");
        }

        report.Append("--").Append(boundary).Append("--\n");
        return report.ToString().ReplaceLineEndings("\r\n");
    }

    /// <summary>The header of the message we sent for order <paramref name="order"/>, as the report returns it, with the reporter's Received field.</summary>
    private static string OurHeader(string returnPath, string to, int order, string messageId, string date, string received) => $"""
        Return-Path: <{returnPath}>
        {received}
        From: Shop <orders@ours.example>
        To: <{to}>
        Subject: Your order {order}
        Message-ID: <{messageId}>
        X-Message-ID: order-{order}
        Date: {date}
        """;

    /// <summary>Plain mail to a feedback address.</summary>
    public static string PlainMessage(string to, string subject = "Please remove me") => $"""
        From: Someone <someone@remote.example>
        To: <{to}>
        Subject: {subject}
        Date: Sat, 05 Dec 2026 12:00:00 +0000
        Message-ID: <plain-1@remote.example>

        I keep getting mail from you.

        """.ReplaceLineEndings("\r\n");
}
