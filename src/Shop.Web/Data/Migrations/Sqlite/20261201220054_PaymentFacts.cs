using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PaymentFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_OrderId_ReceivedAt",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_OrderId",
                table: "Outbox");

            migrationBuilder.AddColumn<string>(
                name: "DedupeKey",
                table: "Outbox",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DueAt",
                table: "Outbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DisputeEvidenceDueBy",
                table: "Orders",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PaidMinorUnits",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "CatchUpCheckpoints",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ListedUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CatchUpCheckpoints", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "ChargeFacts",
                columns: table => new
                {
                    ChargeId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    PaymentIntentId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    AmountCaptured = table.Column<long>(type: "INTEGER", nullable: false),
                    AmountRefunded = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    ObservedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChargeFacts", x => x.ChargeId);
                });

            migrationBuilder.CreateTable(
                name: "DisputeFacts",
                columns: table => new
                {
                    DisputeId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    PaymentIntentId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    ChargeId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    EvidenceDueBy = table.Column<long>(type: "INTEGER", nullable: true),
                    ObservedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisputeFacts", x => x.DisputeId);
                });

            migrationBuilder.CreateTable(
                name: "OrderTimeline",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrderId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderTimeline", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderTimeline_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "PaymentIntentFacts",
                columns: table => new
                {
                    PaymentIntentId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    AmountReceived = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    FailureCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    FailureMessage = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    FailureKey = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    ObservedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PaymentIntentFacts", x => x.PaymentIntentId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_CreatedAt",
                table: "StripeEvents",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_OrderId",
                table: "StripeEvents",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_OrderId_DedupeKey",
                table: "Outbox",
                columns: new[] { "OrderId", "DedupeKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChargeFacts_PaymentIntentId",
                table: "ChargeFacts",
                column: "PaymentIntentId");

            migrationBuilder.CreateIndex(
                name: "IX_DisputeFacts_PaymentIntentId",
                table: "DisputeFacts",
                column: "PaymentIntentId");

            migrationBuilder.CreateIndex(
                name: "IX_OrderTimeline_OrderId_At",
                table: "OrderTimeline",
                columns: new[] { "OrderId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CatchUpCheckpoints");

            migrationBuilder.DropTable(
                name: "ChargeFacts");

            migrationBuilder.DropTable(
                name: "DisputeFacts");

            migrationBuilder.DropTable(
                name: "OrderTimeline");

            migrationBuilder.DropTable(
                name: "PaymentIntentFacts");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_CreatedAt",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_OrderId",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_Outbox_OrderId_DedupeKey",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "DedupeKey",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "DueAt",
                table: "Outbox");

            migrationBuilder.DropColumn(
                name: "DisputeEvidenceDueBy",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "PaidMinorUnits",
                table: "Orders");

            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_OrderId_ReceivedAt",
                table: "StripeEvents",
                columns: new[] { "OrderId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_OrderId",
                table: "Outbox",
                column: "OrderId");
        }
    }
}
