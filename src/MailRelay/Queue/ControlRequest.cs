using System.Globalization;

namespace MailRelay.Queue;

/// <summary>One operator request as written to <c>queue/control/</c>: a verb and, except for a full flush, a queue id.</summary>
public sealed record ControlRequest(ControlCommand Command, string? QueueId)
{
    public override string ToString() =>
        Command.ToString().ToLowerInvariant() + (QueueId is null ? string.Empty : " " + QueueId);

    /// <summary>Parses <c>verb [id]</c>; null when the text is not a request.</summary>
    public static ControlRequest? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2)
        {
            return null;
        }

        ControlCommand? command = parts[0].ToLower(CultureInfo.InvariantCulture) switch
        {
            "flush" => ControlCommand.Flush,
            "hold" => ControlCommand.Hold,
            "release" => ControlCommand.Release,
            "delete" => ControlCommand.Delete,
            _ => null,
        };
        if (command is null)
        {
            return null;
        }

        var id = parts.Length == 2 ? parts[1] : null;
        if (id is not null && !QueueIdGenerator.IsWellFormed(id))
        {
            return null;
        }

        if (id is null && command != ControlCommand.Flush)
        {
            return null;
        }

        return new ControlRequest(command.Value, id);
    }
}
