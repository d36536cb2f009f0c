using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>An object the emulator keeps, rendered in Stripe's shape for API version <see cref="StripeEmulatorServer.ApiVersion"/>.</summary>
internal abstract class StripeObject
{
    public required string Id { get; init; }

    public required long Created { get; init; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>This object's place in the <see cref="ObjectStore"/>'s lists; null once dropped.</summary>
    internal LinkedListNode<StripeObject>? StoreNode { get; set; }

    internal LinkedListNode<StripeObject>? KindNode { get; set; }

    public abstract JsonObject ToJson();

    public JsonObject MetadataJson() => MetadataJson(Metadata);

    public static JsonObject MetadataJson(Dictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        return json;
    }

    /// <summary>
    /// Stripe's metadata rules: <c>metadata[k]=</c> deletes a key, <c>metadata=</c> clears all, at most 50 keys.
    /// All or nothing: an error leaves the object as it was.
    /// </summary>
    public void ApplyMetadata(Params p)
    {
        if (!p.Has("metadata"))
        {
            return;
        }

        var updated = p.Node("metadata") is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(Metadata, StringComparer.Ordinal);
        foreach (var (key, value) in p.Hash("metadata") ?? [])
        {
            var text = value!.GetValue<string>();
            if (text.Length == 0)
            {
                updated.Remove(key);
            }
            else
            {
                updated[key] = text;
            }
        }

        if (updated.Count > 50)
        {
            throw StripeApiException.InvalidRequest("You can specify up to 50 keys in metadata.", "metadata");
        }

        Metadata.Clear();
        foreach (var (key, value) in updated)
        {
            Metadata[key] = value;
        }
    }
}
