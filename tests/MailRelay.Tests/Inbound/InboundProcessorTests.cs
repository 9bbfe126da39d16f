using System.Text;
using MailRelay.Events;
using MailRelay.Inbound;
using MailRelay.Smtp.Protocol;

namespace MailRelay.Tests.Inbound;

/// <summary>What becomes of each kind of message to the feedback addresses, and when the 250 comes.</summary>
public class InboundProcessorTests
{
    [Fact]
    public async Task A_dsn_to_a_valid_return_path_becomes_a_bounced_event_for_the_original_queue_id_and_recipient()
    {
        await using var harness = new InboundHarness();

        var reply = await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: processed", reply, StringComparison.Ordinal);
        var bounced = Assert.Single(harness.Outbox!.Events);
        Assert.Equal(RelayEventTypes.Bounced, bounced.Type);
        Assert.Equal("Q42", bounced.QueueId);
        Assert.Equal("jane@remote.example", bounced.Recipient);
        Assert.Equal("5.1.1", bounced.DsnStatus);
        Assert.Equal("550 5.1.1 <jane@remote.example>: Recipient address rejected: User unknown", bounced.RemoteReply);
        Assert.Equal("mx1.remote.example", bounced.NextHop);
        Assert.Equal("order-42.1796465700@ours.example", bounced.MessageId);
        Assert.Equal("order-42", bounced.ClientId);
        Assert.Equal(InboundHarness.Now, bounced.Time);
        Assert.Equal("mx1.remote.example", bounced.Details!["reporting_mta"]);
        Assert.Empty(harness.KeptFiles());
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Dsn, InboundOutcome.Processed));
    }

    [Fact]
    public async Task A_delayed_dsn_becomes_a_delayed_event()
    {
        await using var harness = new InboundHarness();

        await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example", action: "delayed", status: "4.4.1"), "", "bounce+tok42@ours.example");

        var delayed = Assert.Single(harness.Outbox!.Events);
        Assert.Equal(RelayEventTypes.Delayed, delayed.Type);
        Assert.Equal("4.4.1", delayed.DsnStatus);
        Assert.Equal("Q42", delayed.QueueId);
    }

    [Fact]
    public async Task The_same_dsn_received_twice_gives_the_same_event_id_and_another_dsn_another()
    {
        await using var harness = new InboundHarness();

        await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");
        await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");
        await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example", action: "delayed", status: "4.4.1"), "", "bounce+tok42@ours.example");

        var ids = harness.Outbox!.Events.Select(e => e.Id).ToArray();
        Assert.Equal(3, ids.Length);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
    }

    [Fact]
    public async Task A_dsn_telling_of_a_delivery_is_acknowledged_without_an_event()
    {
        await using var harness = new InboundHarness();

        var reply = await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example", action: "delivered", status: "2.0.0"), "", "bounce+tok42@ours.example");

        Assert.StartsWith("250 ", reply, StringComparison.Ordinal);
        Assert.Empty(harness.Outbox!.Events);
        Assert.Empty(harness.KeptFiles());
    }

    [Fact]
    public async Task A_dsn_to_postmaster_rather_than_a_return_path_is_kept_for_a_person()
    {
        await using var harness = new InboundHarness();

        var reply = await harness.ProcessAsync(InboundSamples.Dsn("postmaster@ours.example"), "", "postmaster@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        Assert.Empty(harness.Outbox!.Events);
        Assert.Single(harness.KeptFiles());
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Dsn, InboundOutcome.Kept));
    }

    [Fact]
    public async Task When_the_outbox_cannot_make_the_events_durable_the_dsn_gets_451_and_nothing_else_happens()
    {
        await using var harness = new InboundHarness();
        harness.Outbox!.Fail = true;

        var reply = await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");

        Assert.StartsWith("451 4.3.0", reply, StringComparison.Ordinal);
        Assert.Empty(harness.KeptFiles());
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Dsn, InboundOutcome.Failed));
    }

    [Fact]
    public async Task Without_an_event_outbox_a_dsn_is_kept_rather_than_lost()
    {
        await using var harness = new InboundHarness(withOutbox: false);

        var reply = await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        Assert.Single(harness.KeptFiles());
    }

    [Fact]
    public async Task An_arf_report_to_a_return_path_becomes_a_complained_event_with_the_report_details()
    {
        await using var harness = new InboundHarness();

        var reply = await harness.ProcessAsync(InboundSamples.Arf("bounce+tok43@ours.example", "bounce+tok43@ours.example"), "fbl@feedback.mailbox.example", "bounce+tok43@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: processed", reply, StringComparison.Ordinal);
        var complaint = Assert.Single(harness.Outbox!.Events);
        Assert.Equal(RelayEventTypes.Complained, complaint.Type);
        Assert.Equal("Q43", complaint.QueueId);
        Assert.Equal("mark@mailbox.example", complaint.Recipient);
        Assert.Equal("order-43.1796465800@ours.example", complaint.MessageId);
        Assert.Equal("order-43", complaint.ClientId);
        Assert.Equal("abuse", complaint.Details!["feedback_type"]);
        Assert.Equal("MailboxFBL/2.3", complaint.Details["user_agent"]);
        Assert.Equal("mx4.mailbox.example", complaint.Details["reporting_mta"]);
        Assert.Equal("203.0.113.25", complaint.Details["source_ip"]);
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Arf, InboundOutcome.Processed));
    }

    [Fact]
    public async Task An_arf_report_to_fbl_is_tied_to_our_message_by_the_return_path_it_returns()
    {
        await using var harness = new InboundHarness();

        await harness.ProcessAsync(InboundSamples.Arf("fbl@ours.example", "bounce+tok43@ours.example"), "fbl@feedback.mailbox.example", "fbl@ours.example");

        var complaint = Assert.Single(harness.Outbox!.Events);
        Assert.Equal("Q43", complaint.QueueId);
        Assert.Equal("mark@mailbox.example", complaint.Recipient);
    }

    [Fact]
    public async Task An_arf_report_with_a_forged_return_path_is_tied_by_message_id_alone_and_names_no_queue_id()
    {
        await using var harness = new InboundHarness();

        await harness.ProcessAsync(InboundSamples.Arf("fbl@ours.example", "bounce+forged@ours.example"), "fbl@feedback.mailbox.example", "fbl@ours.example");

        var complaint = Assert.Single(harness.Outbox!.Events);
        Assert.Null(complaint.QueueId);
        Assert.Equal("order-43.1796465800@ours.example", complaint.MessageId);
        Assert.Equal("order-43", complaint.ClientId);
        Assert.Equal("mark@mailbox.example", complaint.Recipient);
    }

    [Fact]
    public async Task Other_mail_is_kept_whole_under_the_trace_fields_and_the_verification_results()
    {
        var authenticator = new FixedAuthenticator();
        await using var harness = new InboundHarness(authenticator: authenticator);
        var content = InboundSamples.PlainMessage("abuse@ours.example");

        var reply = await harness.ProcessAsync(content, "someone@remote.example", "abuse@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        var kept = await File.ReadAllTextAsync(Assert.Single(harness.KeptFiles()));
        Assert.StartsWith("Return-Path: <someone@remote.example>\r\nDelivered-To: abuse@ours.example\r\n" + FixedAuthenticator.Results + "\r\nReceived: from mx.remote.example", kept, StringComparison.Ordinal);
        Assert.EndsWith("\r\n" + content, kept, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(harness.Store.Directory, ".*"));
        var request = Assert.Single(authenticator.Requests);
        Assert.Equal("someone@remote.example", request.MailFrom);
        Assert.Equal("mx.remote.example", request.HeloName);
        Assert.Equal("192.0.2.9", request.ClientAddress.ToString());
        Assert.StartsWith("From: Someone", authenticator.FirstBytes, StringComparison.Ordinal);
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Other, InboundOutcome.Kept));
    }

    [Fact]
    public async Task The_verification_refusal_is_the_reply_and_nothing_is_kept_or_told()
    {
        var refusal = new SmtpReply(550, "5.7.23", "SPF validation failed");
        await using var harness = new InboundHarness(authenticator: new FixedAuthenticator { Refusal = refusal });

        var plain = await harness.ProcessAsync(InboundSamples.PlainMessage("postmaster@ours.example"), "someone@remote.example", "postmaster@ours.example");
        var dsn = await harness.ProcessAsync(InboundSamples.Dsn("bounce+tok42@ours.example"), "", "bounce+tok42@ours.example");

        Assert.Equal(refusal.ToString(), plain);
        Assert.Equal(refusal.ToString(), dsn);
        Assert.Empty(harness.KeptFiles());
        Assert.Empty(harness.Outbox!.Events);
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Other, InboundOutcome.Refused));
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Dsn, InboundOutcome.Refused));
    }

    [Fact]
    public async Task Other_mail_is_forwarded_as_a_new_queued_message_carrying_the_original_whole()
    {
        await using var harness = new InboundHarness(forwardTo: "ops@company.example", authenticator: new FixedAuthenticator());
        var content = InboundSamples.PlainMessage("postmaster@ours.example", "Your server is misconfigured");

        var reply = await harness.ProcessAsync(content, "someone@remote.example", "postmaster@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: forwarded as ", reply, StringComparison.Ordinal);
        Assert.Empty(harness.KeptFiles());
        var entry = Assert.Single(harness.Spool!.CreateReader().ReadCommitted().Entries);
        Assert.Equal(string.Empty, entry.Envelope.Sender);
        Assert.Equal(["ops@company.example"], entry.Envelope.Recipients);
        Assert.Contains(entry.QueueId, reply, StringComparison.Ordinal);
        var queued = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(entry.FilePath));
        Assert.Contains("From: Mail relay <postmaster@ours.example>\r\n", queued, StringComparison.Ordinal);
        Assert.Contains("Content-Type: message/rfc822\r\n", queued, StringComparison.Ordinal);
        Assert.Contains(FixedAuthenticator.Results + "\r\nReceived: from mx.remote.example", queued, StringComparison.Ordinal);
        Assert.Contains(content, queued, StringComparison.Ordinal);
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Other, InboundOutcome.Forwarded));
    }

    [Fact]
    public async Task Mail_the_verification_puts_in_quarantine_is_kept_not_forwarded()
    {
        await using var harness = new InboundHarness(forwardTo: "ops@company.example", authenticator: new FixedAuthenticator { Quarantine = true });
        var content = InboundSamples.PlainMessage("postmaster@ours.example", "Your server is misconfigured");

        var reply = await harness.ProcessAsync(content, "someone@remote.example", "postmaster@ours.example");

        Assert.StartsWith("250 2.0.0 Ok: kept", reply, StringComparison.Ordinal);
        Assert.Empty(harness.Spool!.CreateReader().ReadCommitted().Entries);
        var kept = await File.ReadAllTextAsync(Assert.Single(harness.KeptFiles()));
        Assert.EndsWith("\r\n" + content, kept, StringComparison.Ordinal);
        Assert.Equal(0, harness.InboundMetrics.Value(InboundKind.Other, InboundOutcome.Forwarded));
        Assert.Equal(1, harness.InboundMetrics.Value(InboundKind.Other, InboundOutcome.Kept));
    }

    [Fact]
    public async Task At_the_bound_of_kept_files_other_mail_is_refused_for_now_with_452()
    {
        await using var harness = new InboundHarness();
        Directory.CreateDirectory(harness.Store.Directory);
        for (var i = 0; i < InboundStore.MaxFiles; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(harness.Store.Directory, $"old-{i}.eml"), []);
        }

        var reply = await harness.ProcessAsync(InboundSamples.PlainMessage("abuse@ours.example"), "someone@remote.example", "abuse@ours.example");

        Assert.StartsWith("452 4.2.2", reply, StringComparison.Ordinal);
        Assert.Equal(InboundStore.MaxFiles, harness.KeptFiles().Length);
    }
}
