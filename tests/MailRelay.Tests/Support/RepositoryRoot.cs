namespace MailRelay.Tests.Support;

/// <summary>The checkout the tests were built from, for tests that hold code and repository files (docs, chart) in step.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MailRelay.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No MailRelay.sln above {AppContext.BaseDirectory}.");
    }
}
