using MailRelay.Authentication;
using MailRelay.Tests.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MailRelay.Tests.Authentication;

public sealed class UsersFileStoreTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly LevelRecordingLogger _logger = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void The_users_are_read_at_start()
    {
        using var store = new UsersFileStore(_directory.WriteFile("users", "alice:{PLAIN}pw\n"), _time, _logger);

        Assert.True(store.Users["alice"].Matches("pw"));
        Assert.Contains(_logger.Events, e => e.Level == LogLevel.Information && e.Message.Contains("1 users", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_file_at_start_is_an_error_naming_the_variable_and_line_but_not_the_secret()
    {
        var path = _directory.WriteFile("users", "alice:{PLAIN}pw\nbob:hunter2\n");

        var error = Assert.Throws<InvalidOperationException>(() => new UsersFileStore(path, _time, _logger));

        Assert.StartsWith("SMTP_AUTH_USERS_FILE: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_file_replaces_the_users_and_an_unchanged_one_does_nothing()
    {
        var path = _directory.WriteFile("users", "alice:{PLAIN}pw\n");
        using var store = new UsersFileStore(path, _time, _logger);
        Assert.False(store.ReloadIfChanged());

        File.WriteAllText(path, "alice:{PLAIN}new\nbob:{PLAIN}pw\n");

        Assert.True(store.ReloadIfChanged());
        Assert.True(store.Users["alice"].Matches("new"));
        Assert.True(store.Users.ContainsKey("bob"));
        Assert.False(store.ReloadIfChanged());
    }

    [Fact]
    public void A_changed_file_that_does_not_parse_keeps_the_previous_users_and_is_reported_once()
    {
        var path = _directory.WriteFile("users", "alice:{PLAIN}pw\n");
        using var store = new UsersFileStore(path, _time, _logger);

        File.WriteAllText(path, "alice:{PLAIN}new\nbob:hunter2\n");

        Assert.False(store.ReloadIfChanged());
        Assert.False(store.ReloadIfChanged());
        Assert.True(store.Users["alice"].Matches("pw"));
        Assert.False(store.Users.ContainsKey("bob"));
        var error = Assert.Single(_logger.Events, e => e.Level == LogLevel.Error);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kubernetes_style_secret_update_is_noticed_without_a_restart()
    {
        // The kubelet's layout: users -> ..data/users, ..data -> ..<timestamp>; an update writes a new timestamped
        // directory and renames a new ..data link over the old one.
        var first = Directory.CreateDirectory(Path.Combine(_directory.Path, "..2026_11_25_01")).FullName;
        File.WriteAllText(Path.Combine(first, "users"), "alice:{PLAIN}old\n");
        File.CreateSymbolicLink(Path.Combine(_directory.Path, "..data"), "..2026_11_25_01");
        var path = Path.Combine(_directory.Path, "users");
        File.CreateSymbolicLink(path, Path.Combine("..data", "users"));
        using var store = new UsersFileStore(path, _time, _logger);
        var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.ChangeHandled += (_, _) => handled.TrySetResult();
        await store.StartAsync(CancellationToken.None);

        var second = Directory.CreateDirectory(Path.Combine(_directory.Path, "..2026_11_25_02")).FullName;
        File.WriteAllText(Path.Combine(second, "users"), "alice:{PLAIN}rotated\n");
        var newLink = Path.Combine(_directory.Path, "..data_tmp");
        File.CreateSymbolicLink(newLink, "..2026_11_25_02");
        AtomicRename.Rename(newLink, Path.Combine(_directory.Path, "..data"));

        await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(store.Users["alice"].Matches("rotated"));
        Assert.False(store.Users["alice"].Matches("old"));
        await store.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_change_the_watcher_cannot_see_is_picked_up_by_the_periodic_check()
    {
        // The file is a link to another directory, so writing the target raises nothing where the store watches.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_directory.Path, "elsewhere")).FullName;
        var target = Path.Combine(elsewhere, "users");
        File.WriteAllText(target, "alice:{PLAIN}pw\n");
        var watched = Directory.CreateDirectory(Path.Combine(_directory.Path, "watched")).FullName;
        var path = Path.Combine(watched, "users");
        File.CreateSymbolicLink(path, target);
        using var store = new UsersFileStore(path, _time, _logger);
        await store.StartAsync(CancellationToken.None);
        File.WriteAllText(target, "alice:{PLAIN}changed\n");

        _time.Advance(UsersFileStore.CheckInterval - TimeSpan.FromSeconds(1));
        Assert.True(store.Users["alice"].Matches("pw"));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(store.Users["alice"].Matches("changed"));
        await store.StopAsync(CancellationToken.None);
    }
}
