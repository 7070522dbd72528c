using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Sluice.Dashboard.Tests.TestSupport;

namespace Sluice.Dashboard.Tests;

/// <summary>The JSON API: what it answers over a real run, and that its OpenAPI document lists every route it maps.</summary>
public sealed class ApiTests : IDisposable
{
    private readonly OrdersPipeline _orders = new();

    public void Dispose() => _orders.Dispose();

    [Fact]
    public async Task The_openapi_document_lists_every_api_route_with_its_method()
    {
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });
        using var document = JsonDocument.Parse(await host.PageAsync("/sluice/api/openapi.json"));
        var paths = document.RootElement.GetProperty("paths");

        var routes = host.Endpoints.DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/sluice/api/", StringComparison.Ordinal))
            .Where(e => e.RoutePattern.RawText != "/sluice/api/{**rest}").ToList(); // the 404 of unknown routes

        Assert.Equal(11, routes.Count);
        foreach (var route in routes)
        {
            // "/sluice/api/dead-letters/{id:long}" is "/dead-letters/{id}" in the document.
            string path = System.Text.RegularExpressions.Regex.Replace(route.RoutePattern.RawText!["/sluice/api".Length..], ":[a-z]+}", "}");
            // A read answers HEAD too; the document describes its GET.
            string method = route.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single(m => m != "HEAD").ToLowerInvariant();
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method, out _), $"{method} {path} is not in the OpenAPI document");
        }
        Assert.Equal(routes.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
    }

    [Fact]
    public async Task An_api_replay_without_the_pipelines_file_is_refused_and_changes_nothing()
    {
        await _orders.RunAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        var replay = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/replay")
        {
            Content = new StringContent("{\"pipeline\":\"orders\"}", Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Contains("replaying needs pipeline 'orders''s file", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        using var letters = JsonDocument.Parse(await host.PageAsync("/sluice/api/dead-letters?pipeline=orders"));
        Assert.Equal(OrdersPipeline.OverMax.Length, letters.RootElement.GetProperty("matching").GetInt64());
    }

    [Fact]
    public async Task The_api_shows_the_run_and_its_letters_and_purges_a_selection()
    {
        var outcome = await _orders.RunAsync();
        await using var host = await DashboardHost.StartAsync(new SluiceDashboardOptions { StatePath = _orders.State });

        using var run = JsonDocument.Parse(await host.PageAsync($"/sluice/api/runs/{outcome.Run.Id[..10]}"));
        Assert.Equal(outcome.Run.Id, run.RootElement.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal(OrdersPipeline.OverMax.Length, run.RootElement.GetProperty("queuedDeadLetters").GetInt64());
        var contract = run.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "contract");
        Assert.Equal(OrdersPipeline.OverMax.Length, contract.GetProperty("deadLettered").GetInt64());

        using var letters = JsonDocument.Parse(await host.PageAsync("/sluice/api/dead-letters?pipeline=orders&limit=4"));
        Assert.Equal(4, letters.RootElement.GetProperty("letters").GetArrayLength());
        Assert.Equal(OrdersPipeline.OverMax.Length, letters.RootElement.GetProperty("matching").GetInt64());
        long next = letters.RootElement.GetProperty("next").GetInt64();
        long[] picked = [.. letters.RootElement.GetProperty("letters").EnumerateArray().Select(l => l.GetProperty("id").GetInt64()).Take(2)];

        using var letter = JsonDocument.Parse(await host.PageAsync($"/sluice/api/dead-letters/{picked[0]}"));
        Assert.Equal("contract", letter.RootElement.GetProperty("letter").GetProperty("reason").GetString());

        var purge = await host.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sluice/api/dead-letters/purge")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { ids = picked }), Encoding.UTF8, "application/json"),
        });
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("{\"purged\":2}", await purge.Content.ReadAsStringAsync());

        using var older = JsonDocument.Parse(await host.PageAsync($"/sluice/api/dead-letters?pipeline=orders&before={next}"));
        Assert.All(older.RootElement.GetProperty("letters").EnumerateArray(), l => Assert.True(l.GetProperty("id").GetInt64() < next));
        Assert.Equal(OrdersPipeline.OverMax.Length - 2, older.RootElement.GetProperty("matching").GetInt64());
    }
}
