using Stripe;

namespace Shop.Emulator.Tests.Stripe;

/// <summary>Stripe.net's typed services against every resource beyond the shop's own checkout path.</summary>
public sealed class ResourceRoundTripTests(EmulatorHarness emulator) : IClassFixture<EmulatorHarness>
{
    private StripeClient Client => emulator.Client;

    [Fact]
    public async Task Customers_are_created_retrieved_updated_listed_and_deleted()
    {
        var created = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = "jenny@example.com",
            Name = "Jenny Rosen",
            Address = new AddressOptions { Line1 = "510 Townsend St", City = "San Francisco", Country = "US" },
            Metadata = new Dictionary<string, string> { ["crm_id"] = "42" },
        });

        var updated = await Client.V1.Customers.UpdateAsync(created.Id, new CustomerUpdateOptions { Phone = "+15555550100" });
        var listed = await Client.V1.Customers.ListAsync(new CustomerListOptions { Email = "jenny@example.com" });
        var deleted = await Client.V1.Customers.DeleteAsync(created.Id);
        var afterDelete = await Client.V1.Customers.GetAsync(created.Id);

        Assert.StartsWith("cus_", created.Id, StringComparison.Ordinal);
        Assert.Equal("San Francisco", created.Address.City);
        Assert.Equal("42", created.Metadata["crm_id"]);
        Assert.Equal("+15555550100", updated.Phone);
        Assert.Equal("Jenny Rosen", updated.Name);
        Assert.Contains(listed.Data, c => c.Id == created.Id);
        Assert.True(deleted.Deleted);
        Assert.True(afterDelete.Deleted);
    }

    [Fact]
    public async Task Payment_methods_from_tokens_attach_list_by_customer_and_detach()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "pm@example.com" });
        var card = await Client.V1.PaymentMethods.CreateAsync(new PaymentMethodCreateOptions
        {
            Type = "card",
            Card = new PaymentMethodCardOptions { Token = "tok_mastercard" },
            BillingDetails = new PaymentMethodBillingDetailsOptions { Name = "Jenny Rosen" },
        });

        var attached = await Client.V1.PaymentMethods.AttachAsync(card.Id, new PaymentMethodAttachOptions { Customer = customer.Id });
        var listed = await Client.V1.PaymentMethods.ListAsync(new PaymentMethodListOptions { Customer = customer.Id, Type = "card" });
        var detached = await Client.V1.PaymentMethods.DetachAsync(card.Id);
        var retrieved = await Client.V1.PaymentMethods.GetAsync(card.Id);

        Assert.Equal("mastercard", card.Card.Brand);
        Assert.Equal("4444", card.Card.Last4);
        Assert.Equal("Jenny Rosen", card.BillingDetails.Name);
        Assert.Equal(customer.Id, attached.CustomerId);
        Assert.Equal([card.Id], listed.Data.Select(pm => pm.Id));
        Assert.Null(detached.CustomerId);
        Assert.Null(retrieved.CustomerId);
    }

    [Fact]
    public async Task Manual_capture_captures_part_and_releases_the_rest()
    {
        var intent = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 5000,
            Currency = "eur",
            CaptureMethod = "manual",
            PaymentMethod = "pm_card_visa",
            Confirm = true,
            StatementDescriptorSuffix = "ORDER 9",
            Shipping = new ChargeShippingOptions { Name = "Jenny", Address = new AddressOptions { Line1 = "1 Main St", Country = "DE" } },
        });

        var captured = await Client.V1.PaymentIntents.CaptureAsync(intent.Id, new PaymentIntentCaptureOptions { AmountToCapture = 3000 });
        var charge = await Client.V1.Charges.GetAsync(captured.LatestChargeId);

        Assert.Equal("requires_capture", intent.Status);
        Assert.Equal(5000, intent.AmountCapturable);
        Assert.Equal("ORDER 9", intent.StatementDescriptorSuffix);
        Assert.Equal("succeeded", captured.Status);
        Assert.Equal(3000, captured.AmountReceived);
        Assert.Equal(0, captured.AmountCapturable);
        Assert.True(charge.Captured);
        Assert.Equal(3000, charge.AmountCaptured);
        Assert.Equal(2000, charge.AmountRefunded);
        Assert.Equal("Jenny", charge.Shipping.Name);
    }

    [Fact]
    public async Task Payment_intents_list_by_customer_and_search_by_status_metadata_and_amount()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions());
        var tag = Guid.NewGuid().ToString("N");
        var paid = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 7000, Currency = "usd", Customer = customer.Id, PaymentMethod = "pm_card_visa", Confirm = true,
            Metadata = new Dictionary<string, string> { ["tag"] = tag },
        });
        var open = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 900, Currency = "usd", Customer = customer.Id, Metadata = new Dictionary<string, string> { ["tag"] = tag },
        });

        var byCustomer = await Client.V1.PaymentIntents.ListAsync(new PaymentIntentListOptions { Customer = customer.Id, Limit = 1 });
        var nextPage = await Client.V1.PaymentIntents.ListAsync(new PaymentIntentListOptions { Customer = customer.Id, StartingAfter = byCustomer.Data[0].Id });
        var succeeded = await Client.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions { Query = $"metadata['tag']:'{tag}' AND status:'succeeded'" });
        var either = await Client.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions { Query = $"amount>5000 OR customer:'{customer.Id}'" });
        var bad = await Assert.ThrowsAsync<StripeException>(() => Client.V1.PaymentIntents.SearchAsync(new PaymentIntentSearchOptions { Query = "colour:'red'" }));

        Assert.Equal([open.Id], byCustomer.Data.Select(i => i.Id));
        Assert.True(byCustomer.HasMore);
        Assert.Equal([paid.Id], nextPage.Data.Select(i => i.Id));
        Assert.Equal([paid.Id], succeeded.Data.Select(i => i.Id));
        Assert.Contains(either.Data, i => i.Id == open.Id);
        Assert.Contains(either.Data, i => i.Id == paid.Id);
        Assert.Equal("query", bad.StripeError.Param);
    }

    [Fact]
    public async Task Charges_list_by_payment_intent_and_update_metadata()
    {
        var intent = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1200, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true });

        var charges = await Client.V1.Charges.ListAsync(new ChargeListOptions { PaymentIntent = intent.Id });
        var updated = await Client.V1.Charges.UpdateAsync(intent.LatestChargeId, new ChargeUpdateOptions { Metadata = new Dictionary<string, string> { ["note"] = "gift" } });

        Assert.Equal([intent.LatestChargeId], charges.Data.Select(c => c.Id));
        Assert.Equal("gift", updated.Metadata["note"]);
        Assert.Equal("succeeded", updated.Status);
    }

    [Fact]
    public async Task Refunds_are_updated_listed_and_a_pending_one_is_canceled()
    {
        var intent = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2000, Currency = "usd", PaymentMethod = "pm_card_pendingRefund", Confirm = true,
        });

        var refund = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 500 });
        var updated = await Client.V1.Refunds.UpdateAsync(refund.Id, new RefundUpdateOptions { Metadata = new Dictionary<string, string> { ["ticket"] = "7" } });
        var canceled = await Client.V1.Refunds.CancelAsync(refund.Id);
        var listed = await Client.V1.Refunds.ListAsync(new RefundListOptions { PaymentIntent = intent.Id });
        var charge = await Client.V1.Charges.GetAsync(intent.LatestChargeId);

        Assert.Equal("pending", refund.Status);
        Assert.Equal("7", updated.Metadata["ticket"]);
        Assert.Equal("canceled", canceled.Status);
        Assert.Equal([refund.Id], listed.Data.Select(r => r.Id));
        Assert.Equal(0, charge.AmountRefunded);
    }

    [Theory]
    [InlineData("winning_evidence", "won", "charge.dispute.funds_reinstated")]
    [InlineData("losing_evidence", "lost", "charge.dispute.closed")]
    public async Task Dispute_evidence_decides_the_outcome_as_in_stripe_test_mode(string evidence, string outcome, string lastEvent)
    {
        var intent = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 3000, Currency = "usd", PaymentMethod = "pm_card_createDispute", Confirm = true });
        var dispute = (await Client.V1.Disputes.ListAsync(new DisputeListOptions { PaymentIntent = intent.Id })).Single();

        var updated = await Client.V1.Disputes.UpdateAsync(dispute.Id, new DisputeUpdateOptions
        {
            Evidence = new DisputeEvidenceOptions { UncategorizedText = evidence },
        });
        var events = await Client.V1.Events.ListAsync(new EventListOptions { Types = ["charge.dispute.*"], Limit = 100 });
        var ours = events.Data.Where(e => ((Dispute)e.Data.Object).Id == dispute.Id).Select(e => e.Type).Reverse().ToList();

        Assert.Equal("needs_response", dispute.Status);
        Assert.Equal("fraudulent", dispute.Reason);
        Assert.True(dispute.EvidenceDetails.DueBy > DateTime.UtcNow);
        Assert.Equal(outcome, updated.Status);
        Assert.Equal(evidence, updated.Evidence.UncategorizedText);
        Assert.Equal("charge.dispute.created", ours[0]);
        Assert.Equal("charge.dispute.funds_withdrawn", ours[1]);
        Assert.Equal(lastEvent, ours[^1]);
    }

    [Fact]
    public async Task Product_not_received_dispute_closes_as_lost()
    {
        var intent = await Client.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 3000, Currency = "usd", PaymentMethod = "pm_card_createDisputeProductNotReceived", Confirm = true,
        });
        var dispute = (await Client.V1.Disputes.ListAsync(new DisputeListOptions { PaymentIntent = intent.Id })).Single();

        var closed = await Client.V1.Disputes.CloseAsync(dispute.Id);
        var charge = await Client.V1.Charges.GetAsync(intent.LatestChargeId);

        Assert.Equal("product_not_received", dispute.Reason);
        Assert.Equal("lost", closed.Status);
        Assert.True(charge.Disputed);
    }

    [Fact]
    public async Task Events_are_listed_by_type_and_created_and_retrieved_by_id()
    {
        var before = DateTime.UtcNow.AddSeconds(-1);
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Description = "events" });

        var created = await Client.V1.Events.ListAsync(new EventListOptions
        {
            Type = "customer.created",
            Created = new DateRangeOptions { GreaterThanOrEqual = before },
            Limit = 100,
        });
        var one = created.Data.Single(e => ((Customer)e.Data.Object).Id == customer.Id);
        var retrieved = await Client.V1.Events.GetAsync(one.Id);
        var none = await Client.V1.Events.ListAsync(new EventListOptions { Type = "customer.created", Created = new DateRangeOptions { LessThan = before.AddYears(-1) } });

        Assert.Equal(one.Id, retrieved.Id);
        Assert.Equal("customer.created", retrieved.Type);
        Assert.Equal(customer.Id, ((Customer)retrieved.Data.Object).Id);
        Assert.Empty(none.Data);
    }

    [Fact]
    public async Task Webhook_endpoints_are_created_with_their_own_secret_updated_listed_and_deleted()
    {
        var endpoint = await Client.V1.WebhookEndpoints.CreateAsync(new WebhookEndpointCreateOptions
        {
            Url = "http://127.0.0.1:9/hooks",
            EnabledEvents = ["charge.succeeded", "charge.dispute.*"],
        });

        var updated = await Client.V1.WebhookEndpoints.UpdateAsync(endpoint.Id, new WebhookEndpointUpdateOptions { Disabled = true, EnabledEvents = ["*"] });
        var listed = await Client.V1.WebhookEndpoints.ListAsync();
        var retrieved = await Client.V1.WebhookEndpoints.GetAsync(endpoint.Id);
        var deleted = await Client.V1.WebhookEndpoints.DeleteAsync(endpoint.Id);
        var gone = await Assert.ThrowsAsync<StripeException>(() => Client.V1.WebhookEndpoints.GetAsync(endpoint.Id));

        Assert.StartsWith("whsec_", endpoint.Secret, StringComparison.Ordinal);
        Assert.NotEqual(emulator.Server.WebhookSecret, endpoint.Secret);
        Assert.Equal("enabled", endpoint.Status);
        Assert.Equal("disabled", updated.Status);
        Assert.Equal(["*"], updated.EnabledEvents);
        Assert.Contains(listed.Data, e => e.Id == endpoint.Id);
        Assert.Null(retrieved.Secret);
        Assert.True(deleted.Deleted);
        Assert.Equal("resource_missing", gone.StripeError.Code);
    }
}
