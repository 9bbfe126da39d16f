namespace MailRelay.Queue;

/// <summary>
/// The drop box (<see cref="RequestDropBox"/>) through which the CLI hands queue requests to a running daemon:
/// <c>queue/control/*.req</c>, each one line (<c>hold 01KJ3V7Q2M9XG4TB</c>).
/// </summary>
internal static class ControlDirectory
{
    public const string RequestExtension = RequestDropBox.RequestExtension;

    public static string PathOf(string dataDirectory) => new SpoolLayout(dataDirectory).ControlDirectory;

    /// <summary>Writes a request; returns its file path.</summary>
    public static string Write(string dataDirectory, ControlRequest request, DateTimeOffset now) =>
        RequestDropBox.Write(PathOf(dataDirectory), request.ToString(), now);

    /// <summary>The pending requests in the order they were made; unparsable files are returned with a null request.</summary>
    public static IReadOnlyList<(string Path, ControlRequest? Request)> ReadPending(string dataDirectory) =>
        [.. RequestDropBox.ReadPending(PathOf(dataDirectory)).Select(r => (r.Path, ControlRequest.Parse(r.Text)))];
}
