namespace Shop.Emulator.Stripe;

/// <summary>
/// Every object by id, in creation order, bounded: past <see cref="StripeEmulatorOptions.MaxObjects"/> objects, or
/// older than <see cref="StripeEmulatorOptions.MaxObjectAge"/>, the oldest are dropped. A dropped object can no
/// longer be found by id or listed; objects that still refer to it keep rendering it. Not thread-safe: callers
/// hold <see cref="StripeState.Gate"/>.
/// </summary>
internal sealed class ObjectStore(int maxObjects, TimeSpan? maxAge, TimeProvider time)
{
    private readonly Dictionary<string, StripeObject> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<StripeObject> _inOrder = new();
    private readonly Dictionary<Type, LinkedList<StripeObject>> _byKind = [];

    public int Count => _byId.Count;

    /// <summary>How many objects were dropped to keep within the limits, since start.</summary>
    public long Dropped { get; private set; }

    public int MaxObjects => maxObjects;

    public TimeSpan? MaxAge => maxAge;

    public void Add(StripeObject item)
    {
        _byId.Add(item.Id, item);
        item.StoreNode = _inOrder.AddLast(item);
        if (!_byKind.TryGetValue(item.GetType(), out var kind))
        {
            kind = new LinkedList<StripeObject>();
            _byKind.Add(item.GetType(), kind);
        }

        item.KindNode = kind.AddLast(item);
        DropBeyondLimits();
    }

    public StripeObject? Find(string id)
    {
        DropBeyondLimits();
        return _byId.GetValueOrDefault(id);
    }

    public T? Find<T>(string id)
        where T : StripeObject => Find(id) as T;

    public T Get<T>(string id, string kind, string param = "id")
        where T : StripeObject => Find<T>(id) ?? throw StripeApiException.NotFound(kind, id, param);

    /// <summary>Objects of one kind, newest first.</summary>
    public IEnumerable<T> NewestFirst<T>()
        where T : StripeObject
    {
        DropBeyondLimits();
        if (!_byKind.TryGetValue(typeof(T), out var kind))
        {
            yield break;
        }

        for (var node = kind.Last; node is not null; node = node.Previous)
        {
            yield return (T)node.Value;
        }
    }

    private void DropBeyondLimits()
    {
        var oldestKept = maxAge is { } age ? (time.GetUtcNow() - age).ToUnixTimeSeconds() : long.MinValue;
        while (_inOrder.First is { } oldest && (_byId.Count > maxObjects || oldest.Value.Created < oldestKept))
        {
            var item = oldest.Value;
            _inOrder.RemoveFirst();
            _byKind[item.GetType()].Remove(item.KindNode!);
            _byId.Remove(item.Id);
            item.StoreNode = null;
            item.KindNode = null;
            Dropped++;
        }
    }
}
