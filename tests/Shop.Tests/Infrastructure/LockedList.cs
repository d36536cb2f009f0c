using System.Collections.ObjectModel;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// For the in-memory exporters: their export thread adds while a test reads. Each add takes the list's lock, so a test
/// that copies the list under <c>lock (list)</c> never sees it change halfway (a plain List threw "Destination array was
/// not long enough" in one run).
/// </summary>
public sealed class LockedList<T> : Collection<T>
{
    protected override void InsertItem(int index, T item)
    {
        lock (this)
        {
            base.InsertItem(index, item);
        }
    }
}
