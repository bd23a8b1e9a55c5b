using System;
using System.Collections.Generic;
using System.IO;
using FastBertTokenizer;

namespace SimdCheckpoint.Embeddings;

/// <summary>
/// Text in, vectors out, on a compiled encoder: BERT WordPiece tokenization (FastBertTokenizer's
/// <see cref="BertTokenizer"/>, which follows Hugging Face's BertTokenizer: [CLS] word pieces [SEP], truncated), the encoder (<see cref="EncoderSession{TNetwork}"/>),
/// then <see cref="SentencePooling"/> (mean or CLS, optionally L2-normalised). A sentence's vector has the same bits
/// alone, in any batch, in any position of a list, on every kernel path and with any thread count.
/// </summary>
/// <remarks>
/// <para>A list is tokenized whole, then encoded in batches of up to <see cref="SentenceEncoderOptions.MaxBatch"/>
/// sentences taken shortest first (so that a batch pads little); the vectors are written in the list's order.</para>
/// <para>Allocation: <see cref="EmbedTokens"/> allocates nothing once its scratch has grown to the largest list seen
/// (warm-up); <see cref="Embed(IReadOnlyList{string}, Span{float})"/> adds what the tokenizer allocates, which writes
/// the ids into this encoder's buffers and allocates only its normalised copy of the text (1,112 bytes in all for 8 short sentences of
/// 210 characters, measured by the tests).</para>
/// <para>Not thread-safe: one call at a time. Encoders created over the same <see cref="EncoderWeights{TNetwork}"/> share
/// them (the weights are read-only), so a server keeps one encoder per concurrent request; give each its own tokenizer
/// (<see cref="SentenceEncoder.LoadTokenizer"/>, a few milliseconds), as a tokenizer reuses internal buffers.</para>
/// </remarks>
/// <typeparam name="TNetwork">The generated encoder type (<c>[NetworkFile("model.onnx")]</c> on a partial class).</typeparam>
public sealed class SentenceEncoder<TNetwork> : IDisposable
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly EncoderSession<TNetwork> _session;
    private readonly EncoderConfig _config;
    private readonly int _maxBatch;
    private readonly int[] _ids;
    private readonly int[] _mask;
    private readonly int[] _types;
    private readonly float[] _hidden;
    private readonly float[] _pooler;
    private readonly float[] _pooled;
    private readonly long[] _tokenScratch;
    private readonly long[] _maskScratch;

    // Grown to the largest list seen, then reused.
    private long[] _order = [];
    private int[] _offsets = [];
    private int[] _textIds = [];
    private int[] _textLengths = [];

    /// <summary>Creates an encoder over loaded weights and a tokenizer.</summary>
    /// <param name="weights">The encoder's weights (several encoders may share them).</param>
    /// <param name="tokenizer">The model's WordPiece tokenizer (<see cref="SentenceEncoder.LoadTokenizer"/>); its ids must fit the model's vocabulary.</param>
    /// <param name="options">Pooling, normalisation, truncation and batching; null for the defaults.</param>
    /// <exception cref="ArgumentException">The network is not an encoder, or an option is out of range (with <see cref="SentenceEncoderOptions.PackedWeights"/>: a budget below the largest dense layer, or more than one thread).</exception>
    /// <exception cref="WeightsException">The packed weights file cannot be read or belongs to another network.</exception>
    public SentenceEncoder(EncoderWeights<TNetwork> weights, BertTokenizer tokenizer, SentenceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new SentenceEncoderOptions();
        _config = TNetwork.Spec.Encoder ?? throw new ArgumentException($"{TNetwork.Spec.Name} is not an encoder.", nameof(weights));
        int maxTokens = options.MaxTokens == 0 ? _config.Positions : options.MaxTokens;
        if (maxTokens < 2 || maxTokens > _config.Positions)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxTokens, $"MaxTokens must be between 2 ([CLS] and [SEP]) and {TNetwork.Spec.Name}'s {_config.Positions} positions (0: all of them).");
        }

        if (options.MaxBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatch, "MaxBatch must be at least 1.");
        }

        Tokenizer = tokenizer;
        Options = options;
        MaxTokens = maxTokens;
        _maxBatch = options.MaxBatch;
        if (options.PackedWeights is null)
        {
            _session = new EncoderSession<TNetwork>(weights, _maxBatch, maxTokens, options.Path, options.Threads);
        }
        else
        {
            if (options.Threads != 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "An encoder that streams its dense layers (PackedWeights) computes on one thread: Threads must be 1.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(options.WeightBudget, nameof(options));
            _session = EncoderSession<TNetwork>.Streaming(weights, options.PackedWeights, options.WeightBudget == 0 ? long.MaxValue : options.WeightBudget, _maxBatch, maxTokens, options.Path);
        }

        int tokens = _maxBatch * maxTokens;
        _ids = new int[tokens];
        _mask = new int[tokens];
        _types = new int[_config.TokenTypeInput ? tokens : 0];
        _hidden = new float[(long)tokens * _config.Hidden];
        _pooler = new float[_config.Pooler ? _maxBatch * _config.Hidden : 0];
        _pooled = new float[_maxBatch * _config.Hidden];
        _tokenScratch = new long[maxTokens];
        _maskScratch = new long[maxTokens];
    }

    /// <summary>The length of a vector: the encoder's hidden size.</summary>
    public int Dimension => _config.Hidden;

    /// <summary>The most tokens per sentence, [CLS] and [SEP] included.</summary>
    public int MaxTokens { get; }

    /// <summary>The options this encoder was created with.</summary>
    public SentenceEncoderOptions Options { get; }

    /// <summary>The tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>
    /// Loads a model's weights (its <c>.onnx</c> file, or a <c>.safetensors</c> file with Hugging Face's BERT names) and
    /// its WordPiece vocabulary (<c>vocab.txt</c>, one token per line), and creates an encoder.
    /// </summary>
    /// <exception cref="ArgumentException">The weights file is neither .onnx nor .safetensors, or an option is out of range.</exception>
    /// <exception cref="InvalidDataException">The vocabulary cannot be read as WordPiece, or has more tokens than the model has embeddings.</exception>
    /// <exception cref="WeightsException">The weights cannot be read or belong to another network.</exception>
    public static SentenceEncoder<TNetwork> Create(string weightsPath, string vocabularyPath, SentenceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weightsPath);
        options ??= new SentenceEncoderOptions();
        EncoderConfig config = TNetwork.Spec.Encoder ?? throw new ArgumentException($"{TNetwork.Spec.Name} is not an encoder.", nameof(weightsPath));
        BertTokenizer tokenizer = SentenceEncoder.LoadTokenizer(vocabularyPath, options.LowerCase, config.Vocabulary);
        EncoderWeights<TNetwork> weights = Path.GetExtension(weightsPath).ToLowerInvariant() switch
        {
            ".onnx" => EncoderWeights<TNetwork>.FromOnnx(weightsPath, includeDense: options.PackedWeights is null),
            ".safetensors" => EncoderWeights<TNetwork>.FromSafetensors(weightsPath, includeDense: options.PackedWeights is null),
            _ => throw new ArgumentException($"'{weightsPath}' is neither an .onnx model nor a .safetensors file.", nameof(weightsPath)),
        };
        return new SentenceEncoder<TNetwork>(weights, tokenizer, options);
    }

    /// <summary>
    /// Writes <paramref name="text"/>'s token ids into <paramref name="ids"/>: [CLS], its word pieces (the first
    /// <see cref="MaxTokens"/> − 2 of them), [SEP]; returns how many.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is shorter than the text's tokens.</exception>
    /// <exception cref="InvalidOperationException">The encoder is uncased, the text is not ASCII, and this process cannot strip accents (<see cref="SentenceEncoder.CanStripAccents"/>).</exception>
    public int Tokenize(string text, Span<int> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Options.LowerCase && !SentenceEncoder.CanStripAccents && !System.Text.Ascii.IsValid(text))
        {
            throw new InvalidOperationException(
                "Uncased tokenization strips accents by Unicode decomposition, which this process cannot do: it runs with invariant globalization "
                + "(InvariantGlobalization or DOTNET_SYSTEM_GLOBALIZATION_INVARIANT), and the text holds non-ASCII characters. Run with ICU "
                + "(<InvariantGlobalization>false</InvariantGlobalization> and libicu installed), or give ASCII text.");
        }

        int count = Tokenizer.Encode(text, _tokenScratch, _maskScratch);
        if (ids.Length < count)
        {
            throw new ArgumentException($"The text has {count} tokens; the span holds {ids.Length}.", nameof(ids));
        }

        for (int i = 0; i < count; i++)
        {
            ids[i] = (int)_tokenScratch[i];
        }

        return count;
    }

    /// <summary>Embeds one text; allocates the vector.</summary>
    public float[] Embed(string text)
    {
        var vector = new float[Dimension];
        Embed([text], vector);
        return vector;
    }

    /// <summary>Embeds one text into <paramref name="destination"/> (<see cref="Dimension"/> floats).</summary>
    public void Embed(string text, Span<float> destination) => Embed([text], destination);

    /// <summary>
    /// Embeds <paramref name="texts"/> into <paramref name="destination"/>, row-major [texts.Count, <see cref="Dimension"/>],
    /// in the list's order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not hold texts.Count · Dimension floats, or a text is null.</exception>
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int n = texts.Count;
        if (destination.Length != (long)n * Dimension)
        {
            throw new ArgumentException($"{n} texts need {(long)n * Dimension} floats ({n} × {Dimension}); the destination holds {destination.Length}.", nameof(destination));
        }

        if (n == 0)
        {
            return;
        }

        Grow(ref _textLengths, n);
        int total = 0;
        for (int i = 0; i < n; i++)
        {
            string text = texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts));
            Grow(ref _textIds, total + MaxTokens);
            int count = Tokenize(text, _textIds.AsSpan(total));
            _textLengths[i] = count;
            total += count;
        }

        EmbedTokens(_textIds.AsSpan(0, total), _textLengths.AsSpan(0, n), destination);
    }

    /// <summary>
    /// Embeds sentences already tokenized: <paramref name="tokenIds"/> holds them one after another (each with its
    /// [CLS] and [SEP]), <paramref name="lengths"/> their token counts; <paramref name="destination"/> receives
    /// [lengths.Length, <see cref="Dimension"/>]. Allocates nothing after warm-up.
    /// </summary>
    /// <exception cref="ArgumentException">A length is not between 1 and <see cref="MaxTokens"/>, the lengths do not add up to the ids, an id is outside the vocabulary, or the destination does not fit.</exception>
    public void EmbedTokens(ReadOnlySpan<int> tokenIds, ReadOnlySpan<int> lengths, Span<float> destination)
    {
        int n = lengths.Length;
        int hidden = Dimension;
        if (destination.Length != (long)n * hidden)
        {
            throw new ArgumentException($"{n} sentences need {(long)n * hidden} floats ({n} × {hidden}); the destination holds {destination.Length}.", nameof(destination));
        }

        Grow(ref _order, n);
        Grow(ref _offsets, n);
        long total = 0;
        for (int i = 0; i < n; i++)
        {
            int length = lengths[i];
            if (length < 1 || length > MaxTokens)
            {
                throw new ArgumentException($"lengths[{i}] is {length}; a sentence has 1 to {MaxTokens} tokens.", nameof(lengths));
            }

            _offsets[i] = (int)Math.Min(total, int.MaxValue);
            total += length;
            _order[i] = ((long)length << 32) | (uint)i;
        }

        if (total != tokenIds.Length)
        {
            throw new ArgumentException($"The lengths add up to {total} tokens; tokenIds holds {tokenIds.Length}.", nameof(tokenIds));
        }

        // Shortest first, ties in list order: a batch pads only up to its own longest sentence.
        Span<long> order = _order.AsSpan(0, n);
        order.Sort();
        for (int start = 0; start < n; start += _maxBatch)
        {
            int batch = Math.Min(_maxBatch, n - start);
            int sequence = (int)(order[start + batch - 1] >> 32);
            int tokens = batch * sequence;
            for (int b = 0; b < batch; b++)
            {
                int index = (int)(uint)order[start + b];
                int length = lengths[index];
                Span<int> ids = _ids.AsSpan(b * sequence, sequence);
                Span<int> mask = _mask.AsSpan(b * sequence, sequence);
                tokenIds.Slice(_offsets[index], length).CopyTo(ids);
                ids[length..].Clear();
                mask[..length].Fill(1);
                mask[length..].Clear();
            }

            _session.Run(
                _ids.AsSpan(0, tokens),
                _mask.AsSpan(0, tokens),
                _config.TokenTypeInput ? _types.AsSpan(0, tokens) : [],
                batch,
                sequence,
                _hidden.AsSpan(0, tokens * hidden),
                _config.Pooler ? _pooler.AsSpan(0, batch * hidden) : []);
            SentencePooling.Pool(
                _hidden.AsSpan(0, tokens * hidden), _mask.AsSpan(0, tokens), batch, sequence, hidden, Options.Pooling, Options.Normalize, _pooled.AsSpan(0, batch * hidden), Options.Path);
            for (int b = 0; b < batch; b++)
            {
                int index = (int)(uint)order[start + b];
                _pooled.AsSpan(b * hidden, hidden).CopyTo(destination.Slice(index * hidden, hidden));
            }
        }
    }

    /// <summary>Stops the encoder session's helper threads.</summary>
    public void Dispose() => _session.Dispose();

    private static void Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2));
        }
    }
}

/// <summary>Loads the tokenizer of a <see cref="SentenceEncoder{TNetwork}"/>.</summary>
public static class SentenceEncoder
{
    /// <summary>
    /// Whether this process can strip accents (Unicode canonical decomposition, which needs ICU): false under invariant
    /// globalization, where an uncased encoder refuses non-ASCII text rather than give it other tokens than Hugging Face's.
    /// </summary>
    public static bool CanStripAccents { get; } = ProbeDecomposition();

    /// <summary>
    /// Loads a BERT WordPiece vocabulary (<c>vocab.txt</c>: one token per line, the line number its id; it must hold
    /// [UNK], [CLS], [SEP] and [PAD]) as a <see cref="BertTokenizer"/> that tokenizes as Hugging Face's BertTokenizer:
    /// control characters removed, whitespace, punctuation (every non-alphanumeric ASCII character) and CJK characters
    /// split, then, with <paramref name="lowerCase"/>, lower-casing and accent stripping for uncased models; a word no
    /// word pieces cover becomes [UNK].
    /// </summary>
    /// <param name="vocabularyPath">The vocabulary file.</param>
    /// <param name="lowerCase">True for uncased vocabularies.</param>
    /// <param name="modelVocabulary">The model's word-embedding count, to check the vocabulary against; 0 not to check.</param>
    /// <exception cref="InvalidDataException">The file cannot be read as a WordPiece vocabulary, or has more tokens than the model has embeddings.</exception>
    public static BertTokenizer LoadTokenizer(string vocabularyPath, bool lowerCase = true, int modelVocabulary = 0)
    {
        ArgumentNullException.ThrowIfNull(vocabularyPath);
        if (!File.Exists(vocabularyPath))
        {
            throw new FileNotFoundException($"The vocabulary '{vocabularyPath}' does not exist.", vocabularyPath);
        }

        string[] lines = File.ReadAllLines(vocabularyPath);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                throw new InvalidDataException($"'{vocabularyPath}' line {i + 1} is empty; a WordPiece vocabulary has one token per line.");
            }

            if (!seen.Add(lines[i]))
            {
                throw new InvalidDataException($"'{vocabularyPath}' line {i + 1} repeats the token '{lines[i]}'; every token has one id.");
            }
        }

        foreach (string special in (string[])["[UNK]", "[CLS]", "[SEP]", "[PAD]"])
        {
            if (!seen.Contains(special))
            {
                throw new InvalidDataException($"'{vocabularyPath}' has no {special} token; a BERT vocabulary has [UNK], [CLS], [SEP] and [PAD].");
            }
        }

        if (modelVocabulary > 0 && lines.Length > modelVocabulary)
        {
            throw new InvalidDataException($"'{vocabularyPath}' has {lines.Length} tokens, but the model has {modelVocabulary} word embeddings: it is not this model's vocabulary.");
        }

        var tokenizer = new BertTokenizer();
        using var reader = new StringReader(string.Join('\n', lines));
        tokenizer.LoadVocabulary(reader, convertInputToLowercase: lowerCase);
        return tokenizer;
    }

    private static bool ProbeDecomposition()
    {
        try
        {
            return "\u00e9".Normalize(System.Text.NormalizationForm.FormD).Length == 2;
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
    }
}
