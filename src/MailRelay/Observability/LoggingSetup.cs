using MailRelay.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace MailRelay.Observability;

/// <summary>Serilog to stdout, as text or one JSON object per line (LOG_FORMAT), at LOG_LEVEL.</summary>
public static class LoggingSetup
{
    private const string TextTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger CreateLogger(LogFormat format, LogEventLevel level, TextWriter? output = null)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        var standardOutput = output ?? Console.Out;
        configuration = format == LogFormat.Json
            ? configuration.WriteTo.Sink(new TextWriterSink(new RenderedCompactJsonFormatter(), standardOutput))
            : configuration.WriteTo.Sink(new TextWriterSink(
                new MessageTemplateTextFormatter(TextTemplate, System.Globalization.CultureInfo.InvariantCulture), standardOutput));
        return configuration.CreateLogger();
    }
}
