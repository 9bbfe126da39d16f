using System.Globalization;
using System.Text.Json.Nodes;

namespace MailRelay.Tests.Support;

/// <summary>
/// The object store behind <see cref="FakeKubernetesApi"/>, with the API server's bookkeeping that clients rely on:
/// one resourceVersion counter bumped by every write, a stale resourceVersion on update answered 409, the
/// generation raised only when the spec changes, and the status kept apart (a custom resource with the status
/// subresource ignores status on create and update of the object itself).
/// </summary>
internal sealed class FakeKubernetesObjects
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private long _resourceVersion = 1000;
    private int _interleavedWrites;

    /// <summary>The outcome of a write: the HTTP status, and the object or a Status reason and message.</summary>
    public readonly record struct Outcome(int StatusCode, JsonObject? Body, string? Reason = null, string? Message = null);

    public JsonObject? Get(string key)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(key, out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    /// <summary>Stores <paramref name="resource"/> as the API server would have it after a create, status included (a test's seed).</summary>
    public void Seed(string key, JsonObject resource)
    {
        lock (_gate)
        {
            var stored = (JsonObject)resource.DeepClone();
            var metadata = Metadata(stored);
            metadata["resourceVersion"] = NextVersion();
            metadata["generation"] ??= 1L;
            _objects[key] = stored;
        }
    }

    public void Delete(string key)
    {
        lock (_gate)
        {
            _objects.Remove(key);
        }
    }

    /// <summary>The next <paramref name="count"/> updates each find the object changed by someone else just before (a status write), so they get 409.</summary>
    public void InterleaveWrites(int count)
    {
        lock (_gate)
        {
            _interleavedWrites = count;
        }
    }

    public Outcome Create(string key, string @namespace, JsonObject body)
    {
        lock (_gate)
        {
            if (_objects.ContainsKey(key))
            {
                return new Outcome(409, null, "AlreadyExists", $"{key} already exists");
            }

            var stored = (JsonObject)body.DeepClone();
            stored.Remove("status");
            var metadata = Metadata(stored);
            metadata["namespace"] = @namespace;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["generation"] = 1L;
            metadata["resourceVersion"] = NextVersion();
            _objects[key] = stored;
            return new Outcome(201, (JsonObject)stored.DeepClone());
        }
    }

    /// <summary>PUT of the object itself: spec, labels and annotations from the body; status and identity kept.</summary>
    public Outcome Update(string key, JsonObject body)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(key, out var stored))
            {
                return new Outcome(404, null, "NotFound", $"{key} not found");
            }

            if (_interleavedWrites > 0)
            {
                _interleavedWrites--;
                Metadata(stored)["resourceVersion"] = NextVersion();
            }

            var version = Metadata(body)["resourceVersion"]?.GetValue<string>();
            if (string.IsNullOrEmpty(version))
            {
                return new Outcome(422, null, "Invalid", "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
            }

            var metadata = Metadata(stored);
            if (version != metadata["resourceVersion"]!.GetValue<string>())
            {
                return new Outcome(409, null, "Conflict",
                    "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again");
            }

            if (!JsonNode.DeepEquals(stored["spec"], body["spec"]))
            {
                stored["spec"] = body["spec"]?.DeepClone();
                metadata["generation"] = metadata["generation"]!.GetValue<long>() + 1;
            }

            metadata["labels"] = Metadata(body)["labels"]?.DeepClone();
            metadata["annotations"] = Metadata(body)["annotations"]?.DeepClone();
            metadata["resourceVersion"] = NextVersion();
            return new Outcome(200, (JsonObject)stored.DeepClone());
        }
    }

    /// <summary>What external-dns does after a sync: status.observedGeneration = metadata.generation, a write of its own.</summary>
    public long MarkObserved(string key)
    {
        lock (_gate)
        {
            var stored = _objects[key];
            var generation = Metadata(stored)["generation"]!.GetValue<long>();
            stored["status"] = new JsonObject { ["observedGeneration"] = generation };
            Metadata(stored)["resourceVersion"] = NextVersion();
            return generation;
        }
    }

    private static JsonObject Metadata(JsonObject resource)
    {
        if (resource["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            resource["metadata"] = metadata;
        }

        return metadata;
    }

    private string NextVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
}
