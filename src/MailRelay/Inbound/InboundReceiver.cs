using System.Security.Cryptography;
using MailRelay.Policy;
using MailRelay.Smtp.Session;

namespace MailRelay.Inbound;

/// <summary>
/// Takes the content of messages to the feedback addresses into DATA_DIR/inbound/.incoming (streamed, never held in
/// memory) and hands each, once whole, to the <see cref="InboundProcessor"/>, whose reply is the one after DATA.
/// Nothing there is acknowledged until processed, so files left by a crash are deleted at start.
/// </summary>
public sealed class InboundReceiver
{
    private readonly string _hostName;
    private readonly InboundProcessor _processor;
    private readonly TimeProvider _time;

    public InboundReceiver(string dataDirectory, string hostName, InboundProcessor processor, TimeProvider time)
    {
        IncomingDirectory = Path.Combine(dataDirectory, "inbound", ".incoming");
        _hostName = hostName;
        _processor = processor;
        _time = time;
    }

    public string IncomingDirectory { get; }

    /// <summary>Creates the directory and deletes what an earlier run left unprocessed (never acknowledged).</summary>
    public void Initialize()
    {
        Directory.CreateDirectory(IncomingDirectory);
        foreach (var file in Directory.EnumerateFiles(IncomingDirectory))
        {
            File.Delete(file);
        }
    }

    public ValueTask<IMessageWriter> OpenAsync(SessionContext session, MailTransaction transaction, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var id = "in" + now.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        var path = Path.Combine(IncomingDirectory, id + ".eml");
        Directory.CreateDirectory(IncomingDirectory);
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.Asynchronous,
        });
        var trace = ReceivedHeader.Build(session, transaction, _hostName, id, now);
        return ValueTask.FromResult<IMessageWriter>(new InboundMessageWriter(file, path, id, trace, now, session, transaction, _processor));
    }
}
