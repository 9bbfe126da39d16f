using MailRelay.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

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
            ? configuration.WriteTo.TextWriter(new RenderedCompactJsonFormatter(), standardOutput)
            : configuration.WriteTo.TextWriter(standardOutput, outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        return configuration.CreateLogger();
    }
}
