using Microsoft.EntityFrameworkCore;
using Shop.Web.Data;
using Shop.Web.Orders;

namespace Shop.Web.Admin;

/// <summary>Writes an admin's action on the order's timeline, with who did it and when.</summary>
public sealed class AdminTimeline(ShopDbContext db, TimeProvider time)
{
    /// <summary>
    /// Saves the entry together with whatever else the caller changed on the shop's (scoped) context, in one transaction:
    /// an action's own row and its line on the timeline are written both or neither.
    /// </summary>
    /// <param name="id">The action's own id: an action sent twice (a double click) is written once.</param>
    /// <returns>False when an entry with this id was already written (by the same action sent concurrently); then nothing
    /// of this call is saved.</returns>
    public async Task<bool> RecordAsync(long orderId, Guid id, string title, string description, string admin, CancellationToken cancellationToken)
    {
        db.OrderTimeline.Add(new OrderTimelineEntry
        {
            Id = id,
            OrderId = orderId,
            At = time.GetUtcNow(),
            Source = admin,
            Title = title,
            Description = description.Length > 500 ? description[..500] : description,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.OrderTimeline.AsNoTracking().AnyAsync(e => e.Id == id, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }
}
