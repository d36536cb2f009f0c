using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Shop.Web.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class StripeEventsWithoutOrderIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_StripeEvents_Orders_OrderId",
                table: "StripeEvents");

            migrationBuilder.DropIndex(
                name: "IX_StripeEvents_OrderId",
                table: "StripeEvents");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_StripeEvents_OrderId",
                table: "StripeEvents",
                column: "OrderId");

            migrationBuilder.AddForeignKey(
                name: "FK_StripeEvents_Orders_OrderId",
                table: "StripeEvents",
                column: "OrderId",
                principalTable: "Orders",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
