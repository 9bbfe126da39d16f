namespace MailRelay.Configuration;

/// <summary>
/// A secret given either inline (<c>NAME</c>) or as a file (<c>NAME_FILE</c>, e.g. a mounted Secret): both set is an
/// error, a file is read at start, and the line break an editor or <c>echo</c> leaves at its end is not part of it.
/// </summary>
internal static class SecretSources
{
    /// <summary>The secret, or null when neither variable is set or a file could not be used (then an error is recorded).</summary>
    public static string? Read(EnvironmentReader reader, string valueVariable, string fileVariable)
    {
        var value = reader.Given(valueVariable);
        var path = reader.Given(fileVariable)?.Trim();
        reader.Resolve(valueVariable, value ?? string.Empty, fromDefault: value is null);
        reader.Resolve(fileVariable, path ?? string.Empty, fromDefault: path is null);
        if (value is not null && path is not null)
        {
            reader.Error(fileVariable, $"set either {valueVariable} or {fileVariable}, not both.");
            return null;
        }

        return path is null ? value : ReadFile(reader, fileVariable, path);
    }

    /// <summary>The content of a secret file without its trailing line breaks; null (and an error) when unusable.</summary>
    public static string? ReadFile(EnvironmentReader reader, string fileVariable, string path)
    {
        if (!FileChecks.CheckReadable(reader, fileVariable, path))
        {
            return null;
        }

        try
        {
            var secret = File.ReadAllText(path).TrimEnd('\r', '\n');
            if (secret.Length == 0)
            {
                reader.Error(fileVariable, $"'{path}' is empty.");
                return null;
            }

            return secret;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            reader.Error(fileVariable, $"cannot read '{path}': {exception.Message}");
            return null;
        }
    }
}
