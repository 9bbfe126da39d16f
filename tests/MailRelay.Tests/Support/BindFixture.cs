namespace MailRelay.Tests.Support;

/// <summary>One BIND for every test class in the <see cref="BindTestGroup"/> collection; tests use names of their own.</summary>
public sealed class BindFixture : IDisposable
{
    public BindServer Server { get; } = BindServer.Start();

    public void Dispose() => Server.Dispose();
}
