using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Web.Data.Migrations.Sqlite
{
    /// <summary>
    /// Apart from <see cref="PaymentFacts"/> so the data moves before SQLite rebuilds the tables whose columns go: orders'
    /// event history becomes their timeline, and what an order's status said of its PaymentIntent becomes its first fact.
    /// </summary>
    public partial class PaymentFactsBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Orders placed before facts existed: their history moves to the timeline, and what their status says of the
            // PaymentIntent becomes its first fact, so news arriving later is judged against it rather than against nothing.
            migrationBuilder.Sql("""
                INSERT INTO OrderTimeline (Id, OrderId, At, Source, Title, Description, EventId, OccurredAt)
                SELECT '00000000-0000-4000-8000-' || printf('%012X', rowid), OrderId, ReceivedAt, lower(Source), Type, Description, EventId, CreatedAt
                FROM StripeEvents WHERE OrderId IS NOT NULL;
                INSERT INTO PaymentIntentFacts (PaymentIntentId, Status, Amount, AmountReceived, Currency, ObservedAt)
                SELECT PaymentIntentId,
                       CASE WHEN Status IN ('Canceled') THEN 'canceled' WHEN Status = 'Processing' THEN 'processing' ELSE 'succeeded' END,
                       TotalMinorUnits, TotalMinorUnits, Currency, UpdatedAt
                FROM Orders
                WHERE PaymentIntentId IS NOT NULL AND Status IN ('Paid', 'PartiallyRefunded', 'Refunded', 'Disputed', 'DisputeLost', 'Canceled', 'Processing');
                UPDATE Orders SET PaidMinorUnits = TotalMinorUnits
                WHERE Status IN ('Paid', 'PartiallyRefunded', 'Refunded', 'Disputed', 'DisputeLost');
                """);

            migrationBuilder.DropColumn(
                name: "Description",
                table: "StripeEvents");

            migrationBuilder.DropColumn(
                name: "StatusBeforeDispute",
                table: "Orders");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Description",
                table: "StripeEvents",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "StatusBeforeDispute",
                table: "Orders",
                type: "TEXT",
                maxLength: 32,
                nullable: true);
        }
    }
}
