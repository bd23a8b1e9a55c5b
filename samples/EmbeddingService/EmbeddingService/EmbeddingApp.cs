using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using SimdCheckpoint;
using SimdCheckpoint.Embeddings;

namespace EmbeddingService;

/// <summary>The encoder, compiled from the ONNX graph by the SimdCheckpoint source generator.</summary>
[NetworkFile("model/encoder.onnx")]
public partial class Encoder;

/// <summary>The service's limits and model, from configuration (section "Embedding", e.g. <c>--Embedding:MaxTexts=32</c>).</summary>
public sealed class EmbeddingServiceOptions
{
    /// <summary>The most texts in one /embed request.</summary>
    public int MaxTexts { get; set; } = 64;

    /// <summary>The most characters in one text (longer texts are refused rather than silently truncated twice).</summary>
    public int MaxTextChars { get; set; } = 4096;

    /// <summary>The largest request body, in bytes; a larger one is answered 413.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>Encoders, each serving one request at a time (they share the weights); default: one per core.</summary>
    public int Encoders { get; set; } = Environment.ProcessorCount;

    /// <summary>The most results /search returns.</summary>
    public int MaxTop { get; set; } = 50;

    /// <summary>The folder holding encoder.onnx, vocab.txt and corpus.txt.</summary>
    public string ModelDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "model");
}

public sealed record EmbedRequest(IReadOnlyList<string?>? Texts);

public sealed record EmbedResponse(int Dimension, float[][] Vectors);

public sealed record SearchRequest(string? Query, int? Top);

public sealed record SearchHit(string Text, float Score);

public sealed record SearchResponse(string Query, IReadOnlyList<SearchHit> Results);

public sealed record ErrorResponse(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EmbedRequest))]
[JsonSerializable(typeof(EmbedResponse))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchResponse))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class ServiceJson : JsonSerializerContext;

/// <summary>
/// A pool of sentence encoders over one copy of the weights: a request takes one, embeds its texts (batched inside,
/// shortest first) and gives it back. Mean pooling, L2-normalised, so a dot product is a cosine.
/// </summary>
public sealed class Embedder : IDisposable
{
    private readonly Channel<SentenceEncoder<Encoder>> _pool;
    private readonly List<SentenceEncoder<Encoder>> _all = [];

    public Embedder(EmbeddingServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        string vocabulary = Path.Combine(options.ModelDirectory, "vocab.txt");
        EncoderWeights<Encoder> weights = EncoderWeights<Encoder>.FromOnnx(Path.Combine(options.ModelDirectory, "encoder.onnx"));
        var encoderOptions = new SentenceEncoderOptions { Pooling = PoolingMode.Mean, Normalize = true };
        _pool = Channel.CreateUnbounded<SentenceEncoder<Encoder>>();
        for (int i = 0; i < Math.Max(1, options.Encoders); i++)
        {
            var tokenizer = SentenceEncoder.LoadTokenizer(vocabulary, lowerCase: true, Encoder.Spec.Encoder!.Vocabulary);
            var encoder = new SentenceEncoder<Encoder>(weights, tokenizer, encoderOptions);
            _all.Add(encoder);
            _pool.Writer.TryWrite(encoder);
        }

        Dimension = _all[0].Dimension;
        Corpus = File.ReadAllLines(Path.Combine(options.ModelDirectory, "corpus.txt")).Where(l => l.Length > 0).ToArray();
        CorpusVectors = new float[Corpus.Length * Dimension];
        _all[0].Embed(Corpus, CorpusVectors);
    }

    public EmbeddingServiceOptions Options { get; }

    public int Dimension { get; }

    public string[] Corpus { get; }

    public float[] CorpusVectors { get; }

    /// <summary>Embeds <paramref name="texts"/> on a free encoder: [texts.Count × Dimension].</summary>
    public async ValueTask<float[]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellation)
    {
        SentenceEncoder<Encoder> encoder = await _pool.Reader.ReadAsync(cancellation);
        try
        {
            var vectors = new float[texts.Count * Dimension];
            encoder.Embed(texts, vectors);
            return vectors;
        }
        finally
        {
            _pool.Writer.TryWrite(encoder);
        }
    }

    public void Dispose()
    {
        foreach (SentenceEncoder<Encoder> e in _all)
        {
            e.Dispose();
        }
    }
}

/// <summary>The web application: its routes, limits and error answers.</summary>
public static class EmbeddingApp
{
    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        var options = new EmbeddingServiceOptions();
        IConfigurationSection section = builder.Configuration.GetSection("Embedding");
        options.MaxTexts = section.GetValue(nameof(options.MaxTexts), options.MaxTexts);
        options.MaxTextChars = section.GetValue(nameof(options.MaxTextChars), options.MaxTextChars);
        options.MaxRequestBytes = section.GetValue(nameof(options.MaxRequestBytes), options.MaxRequestBytes);
        options.Encoders = section.GetValue(nameof(options.Encoders), options.Encoders);
        options.MaxTop = section.GetValue(nameof(options.MaxTop), options.MaxTop);
        options.ModelDirectory = section.GetValue(nameof(options.ModelDirectory), options.ModelDirectory)!;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Services.AddSingleton(new Embedder(options));

        WebApplication app = builder.Build();
        app.MapGet("/health", (Embedder e) => Results.Text($"ok: dimension {e.Dimension}, corpus {e.Corpus.Length}"));
        app.MapPost("/embed", EmbedAsync);
        app.MapPost("/search", SearchAsync);
        return app;
    }

    private static async Task<IResult> EmbedAsync(HttpRequest request, Embedder embedder, CancellationToken cancellation)
    {
        (EmbedRequest? body, IResult? error) = await ReadAsync(request, ServiceJson.Default.EmbedRequest, cancellation);
        if (error is not null)
        {
            return error;
        }

        EmbeddingServiceOptions limits = embedder.Options;
        if (body?.Texts is not { Count: > 0 } texts)
        {
            return Error(StatusCodes.Status400BadRequest, "give the texts to embed: {\"texts\": [\"...\", ...]}.");
        }

        if (texts.Count > limits.MaxTexts)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"{texts.Count} texts in one request; at most {limits.MaxTexts}.");
        }

        var checkedTexts = new string[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            string? text = texts[i];
            if (text is null)
            {
                return Error(StatusCodes.Status400BadRequest, $"texts[{i}] is null; every text is a string.");
            }

            if (text.Length > limits.MaxTextChars)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"texts[{i}] has {text.Length} characters; at most {limits.MaxTextChars}.");
            }

            checkedTexts[i] = text;
        }

        float[] vectors = await embedder.EmbedAsync(checkedTexts, cancellation);
        var rows = new float[texts.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = vectors.AsSpan(i * embedder.Dimension, embedder.Dimension).ToArray();
        }

        return Results.Json(new EmbedResponse(embedder.Dimension, rows), ServiceJson.Default.EmbedResponse);
    }

    private static async Task<IResult> SearchAsync(HttpRequest request, Embedder embedder, CancellationToken cancellation)
    {
        (SearchRequest? body, IResult? error) = await ReadAsync(request, ServiceJson.Default.SearchRequest, cancellation);
        if (error is not null)
        {
            return error;
        }

        EmbeddingServiceOptions limits = embedder.Options;
        if (string.IsNullOrEmpty(body?.Query))
        {
            return Error(StatusCodes.Status400BadRequest, "give the query: {\"query\": \"...\", \"top\": 5}.");
        }

        if (body.Query.Length > limits.MaxTextChars)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, $"the query has {body.Query.Length} characters; at most {limits.MaxTextChars}.");
        }

        int top = body.Top ?? 5;
        if (top < 1 || top > limits.MaxTop)
        {
            return Error(StatusCodes.Status400BadRequest, $"top is {top}; it must be between 1 and {limits.MaxTop}.");
        }

        float[] query = await embedder.EmbedAsync([body.Query], cancellation);
        int d = embedder.Dimension;
        var scored = new (float Score, int Index)[embedder.Corpus.Length];
        for (int i = 0; i < scored.Length; i++)
        {
            // Both vectors are L2-normalised: the dot product is the cosine.
            float dot = 0;
            ReadOnlySpan<float> row = embedder.CorpusVectors.AsSpan(i * d, d);
            for (int j = 0; j < d; j++)
            {
                dot = MathF.FusedMultiplyAdd(query[j], row[j], dot);
            }

            scored[i] = (dot, i);
        }

        SearchHit[] hits = scored.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(top).Select(s => new SearchHit(embedder.Corpus[s.Index], s.Score)).ToArray();
        return Results.Json(new SearchResponse(body.Query, hits), ServiceJson.Default.SearchResponse);
    }

    /// <summary>The JSON body, or the error to answer: 415 for another content type, 413 for a body over the limit, 400 for malformed JSON.</summary>
    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellation)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Error(StatusCodes.Status415UnsupportedMediaType, "send the request as JSON (Content-Type: application/json)."));
        }

        long? limit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            // Answer without reading the body, and close the connection rather than drain it.
            request.HttpContext.Response.Headers.Connection = "close";
            return (null, Error(StatusCodes.Status413PayloadTooLarge, $"the body has {request.ContentLength} bytes; at most {limit}."));
        }

        try
        {
            return (await JsonSerializer.DeserializeAsync(request.Body, type, cancellation), null);
        }
        catch (JsonException e)
        {
            return (null, Error(StatusCodes.Status400BadRequest, $"malformed JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return (null, Error(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {limit} bytes."));
        }
    }

    private static IResult Error(int status, string message) => Results.Json(new ErrorResponse(message), ServiceJson.Default.ErrorResponse, statusCode: status);
}
