using MailKit;
using MailKit.Net.Smtp;
using MailRelay.Queue;
using MimeKit;

namespace MailRelay.Tests.Integration;

/// <summary>RFC 3461 parameters a real client (MailKit) sends are stored with the queued message.</summary>
public sealed class DsnParameterAcceptanceTests
{
    [Fact]
    public async Task NOTIFY_ORCPT_ENVID_and_RET_from_a_client_are_kept_in_the_queue_file()
    {
        await using var relay = await InProcessRelay.StartAsync();
        using (var client = new NotifyingClient())
        {
            await client.ConnectAsync(relay.SmtpEndPoint.Address.ToString(), relay.SmtpEndPoint.Port, MailKit.Security.SecureSocketOptions.None);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("app@ours.example"));
            message.To.Add(MailboxAddress.Parse("watched@elsewhere.example"));
            message.To.Add(MailboxAddress.Parse("quiet@elsewhere.example"));
            message.Subject = "dsn parameters";
            message.Body = new TextPart("plain") { Text = "body" };
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var entry = Assert.Single(new QueueReader(relay.Data.Path).ReadCommitted().Entries);
        Assert.Equal("order+42", entry.Envelope.EnvelopeId is { } id ? MailRelay.Smtp.Commands.Xtext.Decode(id) : null);
        Assert.Equal(DsnReturn.Headers, entry.Envelope.Return);
        Assert.Equal(new RecipientDsnOptions(DsnNotify.Failure | DsnNotify.Delay, "rfc822;watched@elsewhere.example"), entry.Envelope.DsnOptionsOf("watched@elsewhere.example"));
        Assert.Equal(DsnNotify.Never, entry.Envelope.DsnOptionsOf("quiet@elsewhere.example").Notify);
    }

    private sealed class NotifyingClient : SmtpClient
    {
        public NotifyingClient()
        {
            DeliveryStatusNotificationType = MailKit.Net.Smtp.DeliveryStatusNotificationType.HeadersOnly;
        }

        protected override string GetEnvelopeId(MimeMessage message) => "order+42";

        protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            mailbox.Address.StartsWith("quiet", StringComparison.Ordinal)
                ? DeliveryStatusNotification.Never
                : DeliveryStatusNotification.Failure | DeliveryStatusNotification.Delay;
    }
}
