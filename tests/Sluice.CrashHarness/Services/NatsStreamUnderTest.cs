using System.Globalization;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Sluice.ServiceFixtures;

namespace Sluice.CrashHarness.Services;

/// <summary>
/// <c>--services nats</c>: a private nats-server with JetStream (<see cref="NatsServer"/>), one file-stored stream per
/// trial (named as the trial's stream, subject <c>crash.KEY</c>) read by the <c>nats_jetstream</c> source through the
/// trial's durable consumer. Each entry is a JSON object of its fields as strings; positions are
/// <c>sequence:subject</c>. An unreadable entry is, by its variant, a payload that is not UTF-8, a key the contract
/// does not know (it rejects unknown fields), a payload larger than <see cref="MaxMessageBytes"/>, or a key given
/// twice: the four things the source dead-letters itself.
/// </summary>
internal sealed class NatsStreamUnderTest : IStreamUnderTest
{
    /// <summary>The source's <c>max_message_bytes</c>: far above a good entry, below the too-large variant.</summary>
    public const int MaxMessageBytes = 4096;

    private readonly NatsServer _server;
    private readonly NatsConnection _client;
    private readonly INatsJSContext _js;

    private NatsStreamUnderTest(NatsServer server, NatsConnection client)
    {
        _server = server;
        _client = client;
        _js = client.CreateJetStreamContext();
    }

    public static async Task<NatsStreamUnderTest> StartAsync()
    {
        var server = await NatsServer.StartAsync();
        try
        {
            var client = new NatsConnection(new NatsOpts { Url = server.Url });
            await client.ConnectAsync();
            return new NatsStreamUnderTest(server, client);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string Name => "nats";

    public string Server => $"NATS at {_server.Url}";

    private static string Subject(TrialNames trial) => $"crash.{trial.Key}";

    public string SourceYaml(TrialNames trial, int batchSize) => string.Create(CultureInfo.InvariantCulture, $"""
        source:
          type: nats_jetstream
          url: "{_server.Url}"
          stream: {trial.Stream}
          consumer: {trial.Consumer}
          batch_size: {batchSize}
          max_message_bytes: {MaxMessageBytes}
        """);

    public string Input(TrialNames trial) => trial.Stream;

    public async Task<IReadOnlyList<string>> AddAsync(TrialNames trial, IReadOnlyList<ServiceEntry> entries)
    {
        // The first batch of a trial makes its stream; later ones find it.
        await _js.CreateOrUpdateStreamAsync(new StreamConfig(trial.Stream, [Subject(trial)]) { Storage = StreamConfigStorage.File });
        var positions = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            // One at a time, each acknowledged by the server before the next: sequences ascend in entry order.
            var ack = await _js.PublishAsync(Subject(trial), Payload(entry));
            ack.EnsureSuccess();
            positions.Add($"{ack.Seq.ToString(CultureInfo.InvariantCulture)}:{Subject(trial)}");
        }
        return positions;
    }

    private const string Marker = "@not-utf8@";

    private static byte[] Payload(ServiceEntry entry)
    {
        var fields = entry.Fields.ToList();
        if (entry.Fault == EntryFault.Unreadable)
        {
            int name = fields.FindIndex(f => f.Field == "name");
            switch (entry.Variant)
            {
                case 0: // rule not_utf8: the name holds a lead byte followed by no continuation byte
                    fields[name] = ("name", Marker);
                    byte[] json = Json(fields);
                    int at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker));
                    return [.. json[..at], 0x6e, 0xC3, 0x28, .. json[(at + Marker.Length)..]];
                case 1: // rule unknown_field
                    fields.Add(("colour", "red"));
                    break;
                case 2: // rule too_large
                    fields[name] = ("name", new string('x', MaxMessageBytes + 100));
                    break;
                default: // rule duplicate_field
                    fields.Add(("name", "again"));
                    break;
            }
        }
        return Json(fields);
    }

    /// <summary>A JSON object of the fields as strings, in order, a repeated key kept (as no serializer would).</summary>
    private static byte[] Json(List<(string Field, string Value)> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            foreach (var (field, value) in fields)
            {
                writer.WriteString(field, value);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public async Task<List<string>> CheckDrainedAsync(TrialNames trial, string lastPosition)
    {
        INatsJSConsumer consumer;
        try
        {
            consumer = await _js.GetConsumerAsync(trial.Stream, trial.Consumer);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return [$"stream '{trial.Stream}' has no consumer '{trial.Consumer}': no run got as far as creating it"];
        }
        var info = consumer.Info;
        var problems = new List<string>();
        if (info.NumAckPending != 0)
        {
            problems.Add($"{info.NumAckPending} messages of stream '{trial.Stream}' still pending on consumer '{trial.Consumer}' (delivered, never acknowledged)");
        }
        if (info.NumPending != 0)
        {
            problems.Add($"consumer '{trial.Consumer}' has {info.NumPending} messages not yet delivered");
        }
        // Read through the last message: acknowledged up to it, or created to start after it. A run that resumes a
        // run killed after its last checkpoint but before acknowledging creates the consumer again right after the
        // position and reads nothing; nats-server 2.9.10 reports such a consumer's ack floor as 0 until its first
        // acknowledgement (JetStreamSourceTests pins this state).
        ulong last = ulong.Parse(lastPosition[..lastPosition.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        bool startsAfterLast = info.Config.DeliverPolicy == ConsumerConfigDeliverPolicy.ByStartSequence && info.Config.OptStartSeq > last;
        if (info.AckFloor.StreamSeq < last && !startsAfterLast)
        {
            problems.Add($"consumer '{trial.Consumer}' acknowledged up to sequence {info.AckFloor.StreamSeq} (delivered up to {info.Delivered.StreamSeq}, " +
                $"delivering {info.Config.DeliverPolicy} from {info.Config.OptStartSeq}), short of the last message produced, {last}");
        }
        return problems;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
