using MailRelay.Observability;

namespace MailRelay.Hosting;

/// <summary>
/// The admin listener: <c>/healthz</c> (the process serves requests), <c>/readyz</c> (listeners bound and
/// not shutting down: send traffic here) and <c>/metrics</c> (Prometheus text format). Only the admin
/// endpoint speaks HTTP; the SMTP listeners never reach this pipeline.
/// </summary>
public static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var metrics = app.Services.GetRequiredService<RelayMetrics>();

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () =>
            lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
                ? Results.Text("ready\n")
                : Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted);
        });
    }
}
