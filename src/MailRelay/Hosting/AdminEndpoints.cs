using System.Globalization;
using MailRelay.Observability;
using MailRelay.Queue;

namespace MailRelay.Hosting;

/// <summary>
/// The admin listener: <c>/healthz</c> (the process serves requests), <c>/readyz</c> (listeners bound, not
/// shutting down, and free space on DATA_DIR's file system at or above SPOOL_MIN_FREE_SPACE: send traffic
/// here) and <c>/metrics</c> (Prometheus text format). Only the admin
/// endpoint speaks HTTP; the SMTP listeners never reach this pipeline.
/// </summary>
public static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var metrics = app.Services.GetRequiredService<RelayMetrics>();
        var freeSpace = app.Services.GetRequiredService<SpoolFreeSpace>();

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
        {
            if (!lifetime.ApplicationStarted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            // Asked now (one statvfs per probe), so a freed disk makes the pod ready at its next probe.
            var free = freeSpace.Refresh();
            return freeSpace.IsBelowFloor
                ? Results.Text(
                    string.Create(CultureInfo.InvariantCulture, $"not ready\ndisk full: {free} bytes free on the file system of {freeSpace.Directory}, SPOOL_MIN_FREE_SPACE is {freeSpace.MinimumFreeBytes}\n"),
                    statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Text("ready\n");
        });
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
        });
    }
}
