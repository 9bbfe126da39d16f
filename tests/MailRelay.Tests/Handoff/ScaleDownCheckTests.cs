using MailRelay.Handoff;

namespace MailRelay.Tests.Handoff;

public class ScaleDownCheckTests
{
    private sealed class FixedReplicas(int replicas) : IReplicaCountSource
    {
        public List<string> Asked { get; } = [];

        public Task<int> GetReplicasAsync(string statefulSet, CancellationToken cancellationToken)
        {
            Asked.Add(statefulSet);
            return Task.FromResult(replicas);
        }
    }

    private sealed class UnreachableApi : IReplicaCountSource
    {
        public Task<int> GetReplicasAsync(string statefulSet, CancellationToken cancellationToken) =>
            throw new HandoffException("Reading StatefulSet default/mailrelay: HTTP 403");
    }

    [Theory]
    [InlineData("mailrelay-2", 2)]
    [InlineData("mailrelay-3", 2)]
    [InlineData("mailrelay-1", 1)]
    public async Task A_pod_at_or_above_the_replica_count_leaves_and_hands_to_ordinal_0_through_the_headless_service(string pod, int replicas)
    {
        var source = new FixedReplicas(replicas);
        var decision = await new ScaleDownCheck(source, "mailrelay-handoff.mail.svc").DecideAsync(pod, CancellationToken.None);

        Assert.True(decision.Leaving);
        Assert.Equal("mailrelay-0.mailrelay-handoff.mail.svc", decision.PeerHost);
        Assert.Equal(["mailrelay"], source.Asked);
    }

    [Theory]
    [InlineData("mailrelay-0", 1)]
    [InlineData("mailrelay-1", 2)]
    [InlineData("mailrelay-2", 5)]
    public async Task A_pod_below_the_replica_count_stays_and_keeps_its_queue(string pod, int replicas)
    {
        var decision = await new ScaleDownCheck(new FixedReplicas(replicas), "mailrelay-handoff.mail.svc").DecideAsync(pod, CancellationToken.None);

        Assert.False(decision.Leaving);
        Assert.Null(decision.PeerHost);
    }

    [Fact]
    public async Task The_statefulset_name_may_contain_dashes_and_only_the_last_one_separates_the_ordinal()
    {
        var source = new FixedReplicas(1);
        var decision = await new ScaleDownCheck(source, "relay-handoff.mail.svc").DecideAsync("my-mail-relay-4", CancellationToken.None);

        Assert.Equal(["my-mail-relay"], source.Asked);
        Assert.Equal(4, decision.Ordinal);
        Assert.Equal("my-mail-relay-0.relay-handoff.mail.svc", decision.PeerHost);
    }

    [Fact]
    public async Task Scaled_to_zero_the_pod_leaves_with_nobody_to_hand_to()
    {
        var decision = await new ScaleDownCheck(new FixedReplicas(0), "mailrelay-handoff.mail.svc").DecideAsync("mailrelay-0", CancellationToken.None);

        Assert.True(decision.Leaving);
        Assert.Null(decision.PeerHost);
    }

    [Fact]
    public async Task An_address_as_the_service_names_the_peer_itself()
    {
        var decision = await new ScaleDownCheck(new FixedReplicas(1), "10.1.2.3").DecideAsync("mailrelay-1", CancellationToken.None);

        Assert.Equal("10.1.2.3", decision.PeerHost);
    }

    [Theory]
    [InlineData("mailrelay")]
    [InlineData("mailrelay-")]
    [InlineData("mailrelay-x1")]
    [InlineData("-1")]
    public async Task A_name_that_is_not_a_statefulset_pod_s_is_refused(string pod)
    {
        var source = new FixedReplicas(1);
        await Assert.ThrowsAsync<HandoffException>(() => new ScaleDownCheck(source, "svc.mail.svc").DecideAsync(pod, CancellationToken.None));
        Assert.Empty(source.Asked);
    }

    [Fact]
    public async Task An_api_failure_is_reported_not_taken_for_a_scale_down()
    {
        var failure = await Assert.ThrowsAsync<HandoffException>(
            () => new ScaleDownCheck(new UnreachableApi(), "svc.mail.svc").DecideAsync("mailrelay-1", CancellationToken.None));
        Assert.Contains("403", failure.Message, StringComparison.Ordinal);
    }
}
