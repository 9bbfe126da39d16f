namespace MailRelay.Tests.Support;

/// <summary>
/// One request to <see cref="FakeKubernetesApi"/>, in the terms a Role grants: the verb (get, list, create,
/// update, patch, delete), the API group ("" for the core group), the resource and the subresource if any.
/// </summary>
internal sealed record KubernetesApiCall(string Verb, string ApiGroup, string Resource, string? Subresource, int StatusCode)
{
    /// <summary>The resource as an RBAC rule names it: <c>dnsendpoints</c> or <c>dnsendpoints/status</c>.</summary>
    public string RuleResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";
}
