using System.Globalization;
using MailRelay.Observability;
using MailRelay.Queue;
using MailRelay.RateLimiting.Sharing;

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
        var shared = app.Services.GetService<RedisSharedPacing>();

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
                : Results.Text("ready\n" + SharedPacingDetail(shared));
        });
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
        });
    }

    /// <summary>
    /// One line on shared pacing when REDIS_URL is set. Redis being unreachable never makes the relay unready: delivery
    /// goes on under this replica's share of each ceiling.
    /// </summary>
    private static string SharedPacingDetail(RedisSharedPacing? shared)
    {
        if (shared is null)
        {
            return string.Empty;
        }

        var status = shared.Status();
        return status.Connected
            ? "redis: connected, pacing shared\n"
            : string.Create(CultureInfo.InvariantCulture, $"redis: unreachable since {status.DownSince:o}, pacing on this replica's share (1/{status.Replicas}) of each ceiling\n");
    }
}
