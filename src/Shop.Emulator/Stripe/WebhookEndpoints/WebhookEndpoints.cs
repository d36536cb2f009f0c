using System.Text.Json.Nodes;

namespace Shop.Emulator.Stripe;

/// <summary>
/// <c>/v1/webhook_endpoints</c>. Endpoints are configuration, not payment data: they live beside the store and are never
/// dropped by <see cref="StripeEmulatorOptions.MaxObjects"/>.
/// </summary>
internal sealed class WebhookEndpoints(StripeState state, WebhookSender webhooks)
{
    private static readonly (string, Param)[] s_fields =
    [
        ("url", Param.String),
        ("enabled_events", Param.List(Param.String)),
        ("description", Param.String),
        ("metadata", Param.Metadata),
    ];

    private static readonly ParamSchema s_create = ParamSchema.Of(
        [.. s_fields, ("api_version", Param.String), ("connect", Param.Boolean)]);

    private static readonly ParamSchema s_update = ParamSchema.Of([.. s_fields, ("disabled", Param.Boolean)]);

    private static readonly ParamSchema s_list = ParamSchema.Of(("limit", Param.Integer), ("starting_after", Param.String), ("ending_before", Param.String));

    public void Map(StripeApi api)
    {
        api.Post("/webhook_endpoints", s_create, Create);
        api.Get("/webhook_endpoints", s_list, request => ListPages.Render(Endpoints().Reverse(), request.Params, "/v1/webhook_endpoints"));
        api.Get("/webhook_endpoints/{id}", ParamSchema.None, request => Find(request.Id).ToJson());
        api.Post("/webhook_endpoints/{id}", s_update, Update);
        api.Delete("/webhook_endpoints/{id}", ParamSchema.None, request =>
        {
            webhooks.Remove(Find(request.Id));
            return new JsonObject { ["id"] = request.Id, ["object"] = "webhook_endpoint", ["deleted"] = true };
        });
    }

    /// <summary>An endpoint the host adds (the shop's own), signed with the emulator's configured secret and pinned to the emulator's API version.</summary>
    public WebhookEndpointRecord AddHostEndpoint(Uri url, string secret)
    {
        if (Endpoints().FirstOrDefault(endpoint => endpoint.Url == url && endpoint.Secret == secret) is { } existing)
        {
            return existing;
        }

        var endpoint = new WebhookEndpointRecord
        {
            Id = StripeIds.New("we"),
            Created = state.Now,
            Url = url,
            Secret = secret,
            ApiVersion = StripeEmulatorServer.ApiVersion,
            Description = "Added by the host process (StripeEmulatorServer.AddWebhookEndpoint)",
        };
        webhooks.Add(endpoint);
        return endpoint;
    }

    private IEnumerable<WebhookEndpointRecord> Endpoints() => webhooks.Destinations.OfType<WebhookEndpointRecord>();

    private WebhookEndpointRecord Find(string id) =>
        Endpoints().FirstOrDefault(endpoint => endpoint.Id == id) ?? throw StripeApiException.NotFound("webhook_endpoint", id);

    private JsonObject Create(ApiRequest request)
    {
        var p = request.Params;
        var endpoint = new WebhookEndpointRecord
        {
            Id = StripeIds.New("we"),
            Created = state.Now,
            Url = ValidUrl(p.String("url") ?? throw StripeApiException.InvalidRequest("Missing required param: url.", "url", "parameter_missing")),
            Secret = "whsec_" + StripeIds.Random(32),
            ApiVersion = p.String("api_version"),
        };
        endpoint.EnabledEvents = p.Has("enabled_events") && p.List("enabled_events").Count > 0
            ? [.. p.List("enabled_events")]
            : throw StripeApiException.InvalidRequest("Missing required param: enabled_events.", "enabled_events", "parameter_missing");
        endpoint.Description = p.String("description");
        endpoint.ApplyMetadata(p);
        webhooks.Add(endpoint);
        return endpoint.ToJsonWithSecret();
    }

    private JsonObject Update(ApiRequest request)
    {
        var endpoint = Find(request.Id);
        var p = request.Params;
        if (p.String("url") is { } url)
        {
            endpoint.Url = ValidUrl(url);
        }

        if (p.Has("enabled_events"))
        {
            endpoint.EnabledEvents = [.. p.List("enabled_events")];
        }

        if (p.Has("description"))
        {
            endpoint.Description = p.String("description");
        }

        if (p.Bool("disabled") is { } disabled)
        {
            endpoint.Disabled = disabled;
        }

        endpoint.ApplyMetadata(p);
        return endpoint.ToJson();
    }

    private static Uri ValidUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw StripeApiException.InvalidRequest($"Invalid URL: {url}. URLs must begin with http:// or https://.", "url", "url_invalid");
}
