using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Sluice.ServiceFixtures;

namespace Sluice.Services.Tests;

/// <summary>The private NATS server keeps a JetStream stream's messages across a stop and a start: what the NATS
/// connectors' outage tests stand on.</summary>
public sealed class NatsServerTests
{
    [Fact]
    public async Task Stream_messages_published_before_a_stop_are_consumed_after_a_start_again()
    {
        await using var server = await NatsServer.StartAsync();
        await using (var nats = new NatsClient(server.Url))
        {
            var js = nats.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]) { Storage = StreamConfigStorage.File });
            foreach (string item in new[] { "apple", "pear", "plum" })
                (await js.PublishAsync("orders.new", item)).EnsureSuccess();
        }

        await server.StopAsync();
        await server.StartAgainAsync();

        await using (var nats = new NatsClient(server.Url))
        {
            var consumer = await nats.CreateJetStreamContext().CreateOrUpdateConsumerAsync("ORDERS", new ConsumerConfig("reader"));
            var read = new List<(ulong Sequence, string? Item)>();
            await foreach (var message in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 3, Expires = TimeSpan.FromSeconds(5) }))
            {
                read.Add((message.Metadata!.Value.Sequence.Stream, message.Data));
                await message.AckAsync();
            }
            Assert.Equal([(1UL, "apple"), (2UL, "pear"), (3UL, "plum")], read);
        }
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_deletes_its_store()
    {
        var server = await NatsServer.StartAsync();
        await using (var nats = new NatsClient(server.Url))
            await nats.CreateJetStreamContext().CreateStreamAsync(new StreamConfig("KEPT", ["kept"]));
        Assert.NotEmpty(Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(server.DataDirectory));
        using var client = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, server.Port));
    }
}
