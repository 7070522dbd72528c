using System.Net;
using System.Net.Sockets;
using Sluice.ServiceFixtures;
using StackExchange.Redis;

namespace Sluice.Services.Tests;

/// <summary>The private Redis keeps a stream's entries across a stop and a start, and two servers started together
/// share nothing: what the Redis connectors' outage and isolation tests stand on.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public async Task Stream_entries_added_before_a_stop_are_read_back_after_a_start_again()
    {
        await using var server = await RedisServer.StartAsync();
        RedisValue[] ids;
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString))
        {
            var db = redis.GetDatabase();
            ids = [
                await db.StreamAddAsync("orders", [new("id", 1), new("item", "apple")]),
                await db.StreamAddAsync("orders", [new("id", 2), new("item", "pear")]),
                await db.StreamAddAsync("orders", [new("id", 3), new("item", "plum")])];
        }

        await server.StopAsync();
        await server.StartAgainAsync();

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString))
        {
            var entries = await redis.GetDatabase().StreamRangeAsync("orders");
            Assert.Equal(ids, entries.Select(e => e.Id));
            Assert.Equal(["1 apple", "2 pear", "3 plum"], entries.Select(e => $"{e["id"]} {e["item"]}"));
        }
    }

    [Fact]
    public async Task Two_servers_started_together_have_their_own_ports_and_data()
    {
        var starting = new[] { RedisServer.StartAsync(), RedisServer.StartAsync() };
        await using var first = await starting[0];
        await using var second = await starting[1];
        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.DataDirectory, second.DataDirectory);

        await using var toFirst = await ConnectionMultiplexer.ConnectAsync(first.ConnectionString);
        await using var toSecond = await ConnectionMultiplexer.ConnectAsync(second.ConnectionString);
        await toFirst.GetDatabase().StringSetAsync("owner", "first");

        Assert.Equal("first", await toFirst.GetDatabase().StringGetAsync("owner"));
        Assert.False((await toSecond.GetDatabase().StringGetAsync("owner")).HasValue);
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_data()
    {
        var server = await RedisServer.StartAsync();
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString))
            await redis.GetDatabase().StringSetAsync("kept", "until dispose");

        await server.DisposeAsync();

        Assert.False(Directory.Exists(server.DataDirectory));
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, server.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
