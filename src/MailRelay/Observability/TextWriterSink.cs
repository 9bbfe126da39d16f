using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace MailRelay.Observability;

/// <summary>Writes each event through a formatter to a writer (stdout in the daemon, a buffer in tests).</summary>
public sealed class TextWriterSink : ILogEventSink
{
    private readonly ITextFormatter _formatter;
    private readonly TextWriter _output;
    private readonly Lock _gate = new();

    public TextWriterSink(ITextFormatter formatter, TextWriter output)
    {
        _formatter = formatter;
        _output = output;
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            _formatter.Format(logEvent, _output);
            _output.Flush();
        }
    }
}
