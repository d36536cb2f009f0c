// Over 300 lines on purpose: the generator of payment lives and the independent oracle that judges them must be read
// together.
using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.Json;
using CsCheck;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Shop.Tests.Infrastructure;
using Shop.Web.Data;
using Shop.Web.Email;
using Shop.Web.Orders;
using Xunit.Abstractions;

namespace Shop.Tests.Payments.Events;

/// <summary>
/// Random payment lives as Stripe would emit them, delivered to the real webhook endpoint (real writer, real SQLite file)
/// in random order, with random duplicates and random 503s (a real database fault) followed by Stripe's redelivery. Every
/// history must end where Stripe's final objects say, with each email queued exactly as often as the derived transitions
/// call for. The expectation is computed here, from the generated objects, by a small oracle of its own: never by the
/// shop's derivation, so a bug in one cannot hide in the other.
/// </summary>
public sealed class PaymentHistoryPropertyTests : IDisposable
{
    private const string OperatorsEmail = "payments@shop.example.com";

    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly ArmedFaults _faults = new();
    private readonly ITestOutputHelper _output;
    private readonly ShopApp _app;

    private int _histories;
    private int _earlyRefunds;
    private int _earlyDisputes;
    private int _duplicates;
    private int _failedDeliveries;
    private bool _faultsInProcess;

    public PaymentHistoryPropertyTests(ITestOutputHelper output)
    {
        _output = output;
        _app = new ShopApp(settings: new Dictionary<string, string?>
        {
            ["Shop:OperatorsEmail"] = OperatorsEmail,
            // The injected faults are expected: their error logs would bury a real failure's output.
            ["Logging:LogLevel:Shop.Web.Payments.Events.StripeEventWriter"] = "None",
            ["Logging:LogLevel:Shop.Web.Payments.Events.StripeEventApplier"] = "Error",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
        }, testServices: _faults.AddTo);
    }

    [Fact]
    public async Task Any_delivery_order_of_any_payment_life_ends_where_stripe_is_with_each_email_once()
    {
        await ArmFaultInjectionAsync();
        using var client = _app.CreateClient();

        await s_histories.SampleAsync(history => DeliverAndCheckAsync(client, history), iter: 500, threads: 4, print: h => h.ToString());

        _output.WriteLine($"{_histories} histories: {_earlyRefunds} early refunds, {_earlyDisputes} early disputes, "
            + $"{_duplicates} duplicate deliveries, {_failedDeliveries} deliveries answered 503 and redelivered");
        Assert.True(_earlyRefunds >= 20 && _earlyDisputes >= 20 && _duplicates >= 100 && _failedDeliveries >= 50,
            "The generator must produce the awkward cases often enough to matter.");
    }

    private async Task DeliverAndCheckAsync(HttpClient client, History history)
    {
        var order = await PlaceOrderAsync(history.Life);
        var paymentIntentId = order.PaymentIntentId!;
        var oracle = new EmailOracle(history.Life);
        var failures = 0;
        foreach (var delivery in history.Deliveries)
        {
            var stripeEvent = history.Life.Events[delivery.EventIndex];
            var json = stripeEvent.Json(paymentIntentId);
            if (delivery.FailsWith503)
            {
                await FailNextWriteOfAsync(stripeEvent.Id(paymentIntentId));
            }

            using var response = await StripeWebhooks.PostAsync(client, json,
                StripeWebhooks.Signature(System.Text.Encoding.UTF8.GetBytes(json), at: DateTimeOffset.UtcNow));
            // An event already stored is a duplicate and answers 200 without writing anything, so no fault can hit it.
            var fails = delivery.FailsWith503 && !oracle.HasAccepted(stripeEvent);
            Assert.Equal(fails ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, response.StatusCode);
            failures += fails ? 1 : 0;
            if (delivery.FailsWith503)
            {
                await ClearFaultsAsync(stripeEvent.Id(paymentIntentId));
            }

            if (!fails)
            {
                oracle.Accept(stripeEvent);
            }
        }

        await using var db = _app.OpenDatabase();
        var final = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id);
        var expected = history.Life.ExpectedFinal();
        Assert.Equal(expected.Status, final.Status);
        Assert.Equal(expected.Refunded, final.RefundedMinorUnits);
        Assert.Equal(expected.Paid, final.PaidMinorUnits);

        var emails = await db.Outbox.AsNoTracking().Where(m => m.OrderId == order.Id).ToListAsync();
        Assert.Equal(oracle.Receipts, emails.Count(m => m.Kind == CustomerEmailKind.Receipt));
        Assert.Equal(oracle.Declines, emails.Count(m => m.Kind == CustomerEmailKind.PaymentFailed));
        Assert.Equal(oracle.RefundAmounts, emails.Where(m => m.Kind == CustomerEmailKind.Refund).Select(m => m.AmountMinorUnits).Order());
        Assert.Equal(oracle.DisputeNotices, emails.Count(m => m.Kind == CustomerEmailKind.DisputeOpened));
        Assert.Equal(oracle.InquiryNotices, emails.Count(m => m.Kind == CustomerEmailKind.DisputeInquiry));
        Assert.Equal(oracle.AppealNotices, emails.Count(m => m.Kind == CustomerEmailKind.DisputeAppeal));

        Interlocked.Increment(ref _histories);
        Interlocked.Add(ref _earlyRefunds, oracle.EarlyRefunds);
        Interlocked.Add(ref _earlyDisputes, oracle.EarlyDisputes);
        Interlocked.Add(ref _duplicates, history.Deliveries.Count(d => d.IsDuplicate));
        Interlocked.Add(ref _failedDeliveries, failures);
    }

    private async Task<Order> PlaceOrderAsync(Life life)
    {
        await using var db = _app.OpenDatabase();
        var product = await db.Products.FirstAsync(p => p.Currency == "usd");
        var now = DateTimeOffset.UtcNow;
        var address = new ShippingAddress { Line1 = "1 Main St", City = "Springfield", PostalCode = "12345", Country = "US" };
        var order = Order.Place(new CustomerDetails("ada@example.com", "Ada Lovelace", address),
            [new OrderLine { ProductId = product.Id, ProductName = product.Name, UnitPriceMinorUnits = life.Total, Currency = "usd", Quantity = 1 }],
            "usd", now);
        var paymentIntentId = "pi_" + Guid.NewGuid().ToString("N")[..24];
        order.AttachPaymentIntent(paymentIntentId, paymentIntentId + "_secret", life.Total, now);
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order;
    }

    /// <summary>
    /// A real fault inside the writer's transaction: a trigger aborts the insert of an armed event id. On SQLite the armed
    /// ids are in this process (a function on the shop's connections), not in a table: the test writing to the database
    /// while four histories keep the shop's writer busy could wait out SQLite's busy timeout, since SQLite's write lock
    /// does not queue its waiters and the writer takes it again microseconds after each commit.
    /// </summary>
    private async Task ArmFaultInjectionAsync()
    {
        using var client = _app.CreateClient(); // starts the shop, which creates the database
        await using var db = _app.OpenDatabase();
        _faultsInProcess = !db.Database.IsNpgsql();
        if (_faultsInProcess)
        {
            await db.Database.ExecuteSqlRawAsync($"""
                CREATE TRIGGER "FailOnceTrigger" BEFORE INSERT ON "StripeEvents"
                WHEN {ArmedFaults.FunctionName}(NEW."EventId")
                BEGIN
                    SELECT RAISE(ABORT, 'injected database fault');
                END;
                """);
            return;
        }

        await db.Database.ExecuteSqlRawAsync("""CREATE TABLE "FailOnce" ("EventId" TEXT PRIMARY KEY)""");
        await db.Database.ExecuteSqlRawAsync("""
              CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                  IF EXISTS (SELECT 1 FROM "FailOnce" WHERE "EventId" = NEW."EventId") THEN
                      RAISE EXCEPTION 'injected database fault';
                  END IF;
                  RETURN NEW;
              END $$;
              CREATE TRIGGER "FailOnceTrigger" BEFORE INSERT ON "StripeEvents" FOR EACH ROW EXECUTE FUNCTION fail_once();
              """);
    }

    private async Task FailNextWriteOfAsync(string eventId)
    {
        if (_faultsInProcess)
        {
            _faults.Arm(eventId);
            return;
        }

        await using var db = _app.OpenDatabase();
        await db.Database.ExecuteSqlAsync($"INSERT INTO \"FailOnce\" (\"EventId\") VALUES ({eventId})");
    }

    private async Task ClearFaultsAsync(string eventId)
    {
        if (_faultsInProcess)
        {
            _faults.Disarm(eventId);
            return;
        }

        await using var db = _app.OpenDatabase();
        await db.Database.ExecuteSqlAsync($"DELETE FROM \"FailOnce\" WHERE \"EventId\" = {eventId}");
    }

    /// <summary>
    /// The event ids whose insert fails, held here and read by the trigger through a function registered on every SQLite
    /// connection the shop opens. PostgreSQL's connections cannot call into this process: there the ids are in a table
    /// (row locks, so arming never waits for the writer).
    /// </summary>
    private sealed class ArmedFaults : DbConnectionInterceptor
    {
        public const string FunctionName = "shop_test_fault_armed";

        private readonly ConcurrentDictionary<string, bool> _armed = new(StringComparer.Ordinal);

        public void AddTo(IServiceCollection services) =>
            services.ConfigureDbContext<SqliteShopDbContext>(options => options.AddInterceptors(this), ServiceLifetime.Singleton);

        public void Arm(string eventId) => _armed[eventId] = true;

        public void Disarm(string eventId) => _armed.TryRemove(eventId, out _);

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Register(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Register(connection);
            return Task.CompletedTask;
        }

        private void Register(DbConnection connection)
        {
            if (connection is SqliteConnection sqlite)
            {
                sqlite.CreateFunction<string?, bool>(FunctionName, id => id is not null && _armed.ContainsKey(id));
            }
        }
    }

    public void Dispose()
    {
        _app.Dispose();
        SqliteConnection.ClearAllPools();
    }

    // ---- The generated world -------------------------------------------------------------------------------------------

    private enum Outcome
    {
        Succeeded,
        SucceededForAnotherAmount,
        Canceled,
        FailedForGood,
    }

    private enum Aftermath
    {
        None,
        PartialRefund,
        FullRefund,
        PartialThenFullRefund,
        TwoPartialRefunds,
        DisputeStaysOpen,
        DisputeWon,
        DisputeLost,

        /// <summary>Refunded instead of disputed (status prevented): final, with the refund on the charge.</summary>
        DisputePrevented,
        InquiryClosed,
        InquiryEscalated,
        AppealWon,
        AppealLost,
    }

    private static readonly Gen<Life> s_lives = Gen.Select(
        Gen.Int[1, 60], Gen.Int[0, 2], Gen.Bool, Gen.Bool,
        Gen.Frequency((6, Gen.Const(Outcome.Succeeded)), (1, Gen.Const(Outcome.SucceededForAnotherAmount)), (1, Gen.Const(Outcome.Canceled)), (1, Gen.Const(Outcome.FailedForGood))),
        Gen.Enum<Aftermath>(),
        (hundreds, failures, threeDSecure, processing, outcome, aftermath) =>
            Life.Of(hundreds * 100, failures, threeDSecure, processing, outcome, aftermath));

    /// <summary>Each event delivered once, plus duplicates, some first attempts answered 503 and delivered again later, all shuffled.</summary>
    private static readonly Gen<History> s_histories = s_lives.SelectMany(life =>
        Gen.Select(
            Gen.Frequency((6, Gen.Const(0)), (3, Gen.Const(1)), (1, Gen.Const(2))).Array[life.Events.Count],
            Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))).Array[life.Events.Count],
            Gen.Int[0, 1_000_000].Array[life.Events.Count * 4],
            (duplicates, fails, positions) => History.Of(life, duplicates, fails, positions)));

    private sealed record Delivery(int EventIndex, bool FailsWith503, bool IsDuplicate);

    private sealed record History(Life Life, IReadOnlyList<Delivery> Deliveries)
    {
        public static History Of(Life life, int[] duplicates, bool[] fails, int[] positions)
        {
            var deliveries = new List<(int Position, Delivery Delivery)>();
            var p = 0;
            for (var i = 0; i < life.Events.Count; i++)
            {
                // A 503 comes first; Stripe's redelivery of the same event comes at a later random place.
                var first = positions[p++];
                if (fails[i])
                {
                    deliveries.Add((first, new Delivery(i, FailsWith503: true, IsDuplicate: false)));
                    first += 1 + positions[p] % 100_000;
                }

                p++;
                deliveries.Add((first, new Delivery(i, FailsWith503: false, IsDuplicate: false)));
                for (var d = 0; d < duplicates[i]; d++)
                {
                    deliveries.Add((positions[p++], new Delivery(i, FailsWith503: false, IsDuplicate: true)));
                }
            }

            return new History(life, deliveries.OrderBy(d => d.Position).Select(d => d.Delivery).ToList());
        }

        public override string ToString() =>
            $"{Life}\n  delivered: " + string.Join(", ", Deliveries.Select(d =>
                $"{Life.Events[d.EventIndex].Type}#{d.EventIndex}{(d.FailsWith503 ? "(503)" : d.IsDuplicate ? "(dup)" : "")}"));
    }

    /// <summary>One payment's life at Stripe: the events in the order Stripe created them, each with its object's state then.</summary>
    private sealed record Life(long Total, long Paid, Outcome Outcome, Aftermath Aftermath, IReadOnlyList<LifeEvent> Events)
    {
        public static Life Of(long total, int failures, bool threeDSecure, bool processing, Outcome outcome, Aftermath aftermath)
        {
            var events = new List<LifeEvent>();
            var time = s_start;
            void Add(string type, string objectType, string status, Dictionary<string, object?> fields)
            {
                // Strictly increasing: Stripe's clock has one-second resolution, and within one second two states of one
                // object cannot be told apart from their events alone (docs/decisions/0002-payment-facts.md).
                time = time.AddSeconds(1 + (events.Count % 3));
                events.Add(new LifeEvent(events.Count, type, objectType, status, time, fields));
            }

            var paid = outcome == Outcome.SucceededForAnotherAmount ? total - 50 : total;
            var attempts = outcome == Outcome.FailedForGood ? Math.Max(failures, 1) : failures;
            Add("payment_intent.created", "payment_intent", "requires_payment_method", Intent(total, 0));
            for (var attempt = 1; attempt <= attempts; attempt++)
            {
                Add("charge.failed", "charge", "failed", Charge($"ch_fail{attempt}", total, captured: 0, refunded: 0));
                Add("payment_intent.payment_failed", "payment_intent", "requires_payment_method", Intent(total, 0, failedCharge: $"ch_fail{attempt}"));
            }

            if (outcome != Outcome.FailedForGood)
            {
                if (threeDSecure)
                {
                    Add("payment_intent.requires_action", "payment_intent", "requires_action", Intent(total, 0));
                }

                if (processing && outcome != Outcome.Canceled)
                {
                    Add("payment_intent.processing", "payment_intent", "processing", Intent(total, 0));
                }
            }

            if (outcome == Outcome.Canceled)
            {
                Add("payment_intent.canceled", "payment_intent", "canceled", Intent(total, 0));
            }

            if (outcome is Outcome.Succeeded or Outcome.SucceededForAnotherAmount)
            {
                Add("charge.succeeded", "charge", "succeeded", Charge("ch_ok", paid, captured: paid, refunded: 0));
                Add("payment_intent.succeeded", "payment_intent", "succeeded", Intent(paid, paid));
                var refunds = aftermath switch
                {
                    Aftermath.PartialRefund => new[] { paid / 4 },
                    Aftermath.FullRefund => [paid],
                    Aftermath.PartialThenFullRefund => [paid / 4, paid],
                    Aftermath.TwoPartialRefunds => [paid / 4, paid / 2],
                    _ => [],
                };
                foreach (var refunded in refunds)
                {
                    Add("charge.refunded", "charge", "succeeded", Charge("ch_ok", paid, captured: paid, refunded: refunded));
                }

                // Each dispute life as Stripe's statuses follow one another (API 2026-10-28.endive).
                string[] disputeStatuses = aftermath switch
                {
                    Aftermath.DisputeStaysOpen => ["needs_response", "under_review"],
                    Aftermath.DisputeWon => ["needs_response", "under_review", "won"],
                    Aftermath.DisputeLost => ["needs_response", "under_review", "lost"],
                    Aftermath.DisputePrevented => ["prevented"],
                    Aftermath.InquiryClosed => ["warning_needs_response", "warning_under_review", "warning_closed"],
                    Aftermath.InquiryEscalated => ["warning_needs_response", "needs_response", "under_review"],
                    Aftermath.AppealWon => ["needs_response", "under_review", "lost", "appeal_needs_response", "appeal_under_review", "won"],
                    Aftermath.AppealLost => ["needs_response", "under_review", "lost", "appeal_needs_response", "appeal_under_review", "lost"],
                    _ => [],
                };
                for (var i = 0; i < disputeStatuses.Length; i++)
                {
                    var status = disputeStatuses[i];
                    var type = i == 0 ? "charge.dispute.created" : status is "won" or "lost" or "warning_closed" ? "charge.dispute.closed" : "charge.dispute.updated";
                    Add(type, "dispute", status, Dispute(paid));
                }

                if (aftermath == Aftermath.DisputePrevented)
                {
                    Add("charge.refunded", "charge", "succeeded", Charge("ch_ok", paid, captured: paid, refunded: paid));
                }
            }
            else
            {
                aftermath = Aftermath.None;
            }

            return new Life(total, paid, outcome, aftermath, events);
        }

        /// <summary>The oracle for the final state: what Stripe's final objects say the order is.</summary>
        public (OrderStatus Status, long Paid, long Refunded) ExpectedFinal()
        {
            var refunded = Aftermath switch
            {
                Aftermath.PartialRefund => Paid / 4,
                Aftermath.FullRefund or Aftermath.PartialThenFullRefund or Aftermath.DisputePrevented => Paid,
                Aftermath.TwoPartialRefunds => Paid / 2,
                _ => 0,
            };
            return Outcome switch
            {
                Outcome.Canceled => (OrderStatus.Canceled, 0, 0),
                Outcome.FailedForGood => (OrderStatus.PaymentFailed, 0, 0),
                _ when Aftermath is Aftermath.DisputeStaysOpen or Aftermath.InquiryEscalated => (OrderStatus.Disputed, Paid, 0),
                _ when Aftermath is Aftermath.DisputeLost or Aftermath.AppealLost => (OrderStatus.DisputeLost, Paid, 0),
                // Money all given back leaves nothing to review; a partial refund leaves the mismatch to look at.
                _ when refunded == Paid => (OrderStatus.Refunded, Paid, refunded),
                Outcome.SucceededForAnotherAmount => (OrderStatus.NeedsReview, Paid, refunded),
                _ when refunded > 0 => (OrderStatus.PartiallyRefunded, Paid, refunded),
                _ when Aftermath is Aftermath.DisputeWon or Aftermath.AppealWon => (OrderStatus.DisputeWon, Paid, 0),
                _ => (OrderStatus.Paid, Paid, 0),
            };
        }

        public override string ToString() =>
            $"total {Total}, paid {Paid}, {Outcome}, {Aftermath}: " + string.Join(" → ", Events.Select(e => $"#{e.Index} {e.Type}"));

        private static Dictionary<string, object?> Intent(long amount, long received, string? failedCharge = null) => new()
        {
            ["amount"] = amount,
            ["amount_received"] = received,
            ["currency"] = "usd",
            ["last_payment_error"] = failedCharge is null ? null : new Dictionary<string, object?>
            {
                ["type"] = "card_error", ["code"] = "card_declined", ["decline_code"] = "generic_decline",
                ["message"] = "Your card was declined.", ["charge"] = failedCharge,
            },
        };

        private static Dictionary<string, object?> Charge(string id, long amount, long captured, long refunded) => new()
        {
            ["id"] = id,
            ["amount"] = amount,
            ["amount_captured"] = captured,
            ["amount_refunded"] = refunded,
            ["captured"] = captured > 0,
            ["currency"] = "usd",
            ["paid"] = captured > 0,
            ["refunded"] = refunded > 0 && refunded == captured,
        };

        private static Dictionary<string, object?> Dispute(long amount) => new()
        {
            ["id"] = "du_1",
            ["amount"] = amount,
            ["charge"] = "ch_ok",
            ["currency"] = "usd",
            ["reason"] = "fraudulent",
            ["evidence_details"] = new Dictionary<string, object?> { ["due_by"] = s_start.AddDays(9).ToUnixTimeSeconds() },
        };
    }

    private sealed record LifeEvent(int Index, string Type, string ObjectType, string Status, DateTimeOffset Created, Dictionary<string, object?> Fields)
    {
        public string Id(string paymentIntentId) => $"evt_{paymentIntentId[3..]}_{Index}";

        /// <summary>The event as Stripe would deliver it; object ids are made unique per order from its PaymentIntent.</summary>
        public string Json(string paymentIntentId)
        {
            var suffix = paymentIntentId[3..];
            var obj = new Dictionary<string, object?>(Fields)
            {
                ["object"] = ObjectType,
                ["status"] = Status,
                ["created"] = s_start.ToUnixTimeSeconds(),
                ["livemode"] = false,
            };
            obj["id"] = ObjectType == "payment_intent" ? paymentIntentId : $"{obj["id"]}_{suffix}";
            if (ObjectType != "payment_intent")
            {
                obj["payment_intent"] = paymentIntentId;
            }

            if (obj.TryGetValue("charge", out var charge) && charge is string chargeId)
            {
                obj["charge"] = $"{chargeId}_{suffix}";
            }

            if (obj.TryGetValue("last_payment_error", out var lastError) && lastError is Dictionary<string, object?> error)
            {
                obj["last_payment_error"] = new Dictionary<string, object?>(error) { ["charge"] = $"{error["charge"]}_{suffix}" };
            }

            return JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = Id(paymentIntentId),
                ["object"] = "event",
                ["api_version"] = "2026-10-28.endive",
                ["created"] = Created.ToUnixTimeSeconds(),
                ["data"] = new Dictionary<string, object?> { ["object"] = obj },
                ["livemode"] = false,
                ["pending_webhooks"] = 1,
                ["type"] = Type,
            });
        }
    }

    /// <summary>
    /// The oracle for emails: replays the deliveries the shop accepted, in their order, keeping what a careful reader of
    /// those events would know at each step, and counts the emails the rules call for.
    /// </summary>
    private sealed class EmailOracle(Life life)
    {
        private readonly HashSet<int> _accepted = [];
        private readonly HashSet<string> _disputesSeen = [];
        private (bool Final, DateTimeOffset Time, int Progress, string Status)? _newestDispute;
        private (bool Final, DateTimeOffset Time, int Progress)? _newestIntent;
        private string? _failureOfNewestIntent;
        private bool _moneyTaken;
        private bool _amountConfirmed;
        private bool _intentSucceededSeen;
        private long _refunded;

        public int Receipts { get; private set; }

        public int Declines { get; private set; }

        public List<long> RefundAmounts { get; } = [];

        public int DisputeNotices { get; private set; }

        public int InquiryNotices { get; private set; }

        public int AppealNotices { get; private set; }

        public int EarlyRefunds { get; private set; }

        public int EarlyDisputes { get; private set; }

        private static readonly string[] s_disputeProgress =
            ["warning_needs_response", "warning_under_review", "needs_response", "under_review", "lost", "appeal_needs_response", "appeal_under_review"];

        public bool HasAccepted(LifeEvent e) => _accepted.Contains(e.Index);

        /// <summary>The stages the operators are told about; the rest ("") ask nothing of them.</summary>
        private static string Stage(string status) => status switch
        {
            "warning_needs_response" or "warning_under_review" => "inquiry",
            "needs_response" or "under_review" => "chargeback",
            "appeal_needs_response" or "appeal_under_review" => "appeal",
            _ => status,
        };

        public void Accept(LifeEvent e)
        {
            if (!_accepted.Add(e.Index))
            {
                return;
            }

            var confirmedBefore = _amountConfirmed;
            var refundedBefore = _refunded;
            var failureBefore = _failureOfNewestIntent;
            switch (e.ObjectType)
            {
                case "payment_intent":
                    var rank = (e.Status is "succeeded" or "canceled", e.Created, e.Status switch
                    {
                        "requires_action" => 2,
                        "processing" => 3,
                        _ => 0,
                    });
                    if (_newestIntent is null || rank.CompareTo(_newestIntent.Value) > 0)
                    {
                        _newestIntent = rank;
                        _failureOfNewestIntent = e.Fields["last_payment_error"] is Dictionary<string, object?> error ? (string)error["charge"]! : null;
                    }

                    if (e.Status == "succeeded")
                    {
                        _intentSucceededSeen = true;
                        _moneyTaken = true;
                        _amountConfirmed = life.Paid == life.Total;
                    }

                    break;
                case "charge" when e.Status == "succeeded":
                    EarlyRefunds += e.Type == "charge.refunded" && !_intentSucceededSeen ? 1 : 0;
                    _moneyTaken = true;
                    _amountConfirmed = life.Paid == life.Total;
                    _refunded = Math.Max(_refunded, (long)e.Fields["amount_refunded"]!);
                    break;
                case "dispute":
                    EarlyDisputes += _disputesSeen.Count == 0 && !_intentSucceededSeen ? 1 : 0;
                    _moneyTaken = true;
                    _disputesSeen.Add("du_1");
                    // The newest state wins: won, prevented and warning_closed end a dispute; a loss may be appealed.
                    var disputeRank = (e.Status is "won" or "prevented" or "warning_closed", e.Created, Array.IndexOf(s_disputeProgress, e.Status), e.Status);
                    if (_newestDispute is null || disputeRank.CompareTo(_newestDispute.Value) > 0)
                    {
                        var stageBefore = _newestDispute is { } before ? Stage(before.Status) : "";
                        _newestDispute = disputeRank;
                        var stage = Stage(e.Status);
                        if (stage != stageBefore)
                        {
                            InquiryNotices += stage == "inquiry" ? 1 : 0;
                            DisputeNotices += stage == "chargeback" ? 1 : 0;
                            AppealNotices += stage == "appeal" ? 1 : 0;
                        }
                    }

                    break;
            }

            var fullyRefunded = _amountConfirmed && _refunded >= life.Paid;
            if (!confirmedBefore && _amountConfirmed && !fullyRefunded && _newestDispute?.Status != "lost")
            {
                Receipts++;
            }

            if (_refunded > refundedBefore)
            {
                RefundAmounts.Add(_refunded);
            }

            if (_failureOfNewestIntent is not null && _failureOfNewestIntent != failureBefore && !_moneyTaken)
            {
                Declines++;
            }
        }
    }
}
