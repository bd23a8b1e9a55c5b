using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SimdCheckpoint;
using SimdCheckpoint.Embeddings;
using Xunit;

namespace EmbeddingService.Tests;

/// <summary>The service on a loopback port, with small limits so that the tests can reach them.</summary>
public sealed class RunningService : IAsyncLifetime
{
    public const int MaxTexts = 8;

    public const int MaxTextChars = 200;

    public const int MaxRequestBytes = 4096;

    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = EmbeddingApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--Embedding:MaxTexts={MaxTexts}", $"--Embedding:MaxTextChars={MaxTextChars}", $"--Embedding:MaxRequestBytes={MaxRequestBytes}",
            "--Embedding:Encoders=2", "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public sealed class ServiceTests(RunningService service) : IClassFixture<RunningService>
{
    private static readonly string[] Texts =
    [
        "The cat sat on the mat.", "A dog runs fast in the sun.", "hello", "Hello, world!", "zzz", "The red sun and the blue moon.",
        "Text to vector, vector to text.", "It is a big red dog.", "Fast vectors for a small model.", "é",
    ];

    private static readonly Lazy<SentenceEncoder<Encoder>> Library = new(() => SentenceEncoder<Encoder>.Create(
        Path.Combine(AppContext.BaseDirectory, "model", "encoder.onnx"), Path.Combine(AppContext.BaseDirectory, "model", "vocab.txt"), new SentenceEncoderOptions { Normalize = true }));

    [Fact]
    public async Task Embed_returns_the_librarys_vectors_bit_for_bit()
    {
        string[] texts = Texts[..4];
        EmbedResponse response = await EmbedAsync(texts);
        Assert.Equal(32, response.Dimension);
        Assert.Equal(texts.Length, response.Vectors.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            AssertBits(Expected(texts[i]), response.Vectors[i], texts[i]);
        }
    }

    [Fact]
    public async Task Concurrent_requests_get_the_same_vector_for_the_same_text_whatever_else_is_in_their_batch()
    {
        var expected = Texts.ToDictionary(t => t, Expected);
        var random = new Random(7);
        Task<(string[] Texts, EmbedResponse Response)>[] requests = Enumerable.Range(0, 200).Select(_ =>
        {
            string[] texts = Enumerable.Range(0, 1 + random.Next(RunningService.MaxTexts)).Select(_ => Texts[random.Next(Texts.Length)]).ToArray();
            return Task.Run(async () => (texts, await EmbedAsync(texts)));
        }).ToArray();
        foreach ((string[] texts, EmbedResponse response) in await Task.WhenAll(requests))
        {
            for (int i = 0; i < texts.Length; i++)
            {
                AssertBits(expected[texts[i]], response.Vectors[i], texts[i]);
            }
        }
    }

    [Fact]
    public async Task Search_ranks_the_corpus_by_cosine_and_finds_a_sentence_of_its_own()
    {
        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/search", new { query = "The cat sat on the mat.", top = 3 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        JsonElement[] results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal("The cat sat on the mat.", results[0].GetProperty("text").GetString());
        Assert.InRange(results[0].GetProperty("score").GetSingle(), 0.9999f, 1.0001f);
        float[] scores = results.Select(r => r.GetProperty("score").GetSingle()).ToArray();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    [Fact]
    public async Task Bad_requests_get_a_clear_status_and_message()
    {
        await ExpectAsync("/embed", "{\"texts\": [\"a\"", HttpStatusCode.BadRequest, "malformed JSON");
        await ExpectAsync("/embed", "{\"texts\": []}", HttpStatusCode.BadRequest, "give the texts to embed");
        await ExpectAsync("/embed", "{\"texts\": [\"a\", null]}", HttpStatusCode.BadRequest, "texts[1] is null");
        await ExpectAsync("/embed", "{\"texts\": 3}", HttpStatusCode.BadRequest, "malformed JSON");
        string tooMany = JsonSerializer.Serialize(new { texts = Enumerable.Repeat("a", RunningService.MaxTexts + 1) });
        await ExpectAsync("/embed", tooMany, HttpStatusCode.RequestEntityTooLarge, $"{RunningService.MaxTexts + 1} texts in one request; at most {RunningService.MaxTexts}");
        string tooLong = JsonSerializer.Serialize(new { texts = new[] { "ok", new string('a', RunningService.MaxTextChars + 1) } });
        await ExpectAsync("/embed", tooLong, HttpStatusCode.RequestEntityTooLarge, $"texts[1] has {RunningService.MaxTextChars + 1} characters; at most {RunningService.MaxTextChars}");
        string huge = JsonSerializer.Serialize(new { texts = new[] { new string('a', RunningService.MaxRequestBytes) } });
        await ExpectAsync("/embed", huge, HttpStatusCode.RequestEntityTooLarge, $"at most {RunningService.MaxRequestBytes}");
        await ExpectAsync("/search", "{\"query\": \"cat\", \"top\": 0}", HttpStatusCode.BadRequest, "top is 0");
        await ExpectAsync("/search", "{}", HttpStatusCode.BadRequest, "give the query");

        using var notJson = new StringContent("texts=a", Encoding.UTF8, "application/x-www-form-urlencoded");
        using HttpResponseMessage response = await service.Client.PostAsync("/embed", notJson, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);

        // Still serving after all that.
        AssertBits(Expected("hello"), (await EmbedAsync(["hello"])).Vectors[0], "hello");
    }

    [Fact]
    public async Task A_body_over_the_limit_without_a_length_is_refused_while_streaming()
    {
        // Chunked: Kestrel only learns the size while reading; the answer is still 413 with a message.
        using var content = new PushStreamContent(RunningService.MaxRequestBytes * 2);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await service.Client.PostAsync("/embed", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static float[] Expected(string text)
    {
        lock (Library)
        {
            return Library.Value.Embed(text);
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"'{what}' element {i}: {actual[i]:R}, library {expected[i]:R}");
        }
    }

    private async Task<EmbedResponse> EmbedAsync(string[] texts)
    {
        using HttpResponseMessage response = await service.Client.PostAsJsonAsync("/embed", new { texts }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ServiceJson.Default.EmbedResponse, TestContext.Current.CancellationToken))!;
    }

    private async Task ExpectAsync(string path, string body, HttpStatusCode status, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await service.Client.PostAsync(path, content, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"{path} {body[..Math.Min(60, body.Length)]}: {(int)response.StatusCode} {text}");
        Assert.Contains(message, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A JSON body of about <c>bytes</c> bytes sent chunked (no Content-Length).</summary>
    private sealed class PushStreamContent(int bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            byte[] head = Encoding.UTF8.GetBytes("{\"texts\": [\"");
            await stream.WriteAsync(head);
            byte[] chunk = Encoding.UTF8.GetBytes(new string('a', 512));
            for (int written = 0; written < bytes; written += chunk.Length)
            {
                await stream.WriteAsync(chunk);
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes("\"]}"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
