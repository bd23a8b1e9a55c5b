using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using SimdCheckpoint.Embeddings;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Encoders;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Embeddings;

/// <summary>
/// Text to vectors on the committed encoders with their WordPiece vocabularies (tools/text/make_bert_vocab.py): the
/// tokenizer's ids, the reference pipeline's bits, the same vector alone and in any batch, and no allocation.
/// </summary>
public sealed class SentenceEncoderTests
{
    internal static readonly string[] Sentences =
    [
        "Hello, world! The cat sat on the mat.",
        "The dog runs fast.",
        "A big red sun, a small blue moon.",
        "zzz",
        "The quick text model is a vector model of the world; it runs slow in the big city.",
        "Hello again, world",
        "1 2 3 ... 42!",
        "cats and dogs",
    ];

    public static TheoryData<KernelPath, int> PathsAndThreads() => EncoderSessionTests.PathsAndThreads();

    [Fact]
    public void Uncased_text_becomes_CLS_word_pieces_SEP_with_accents_stripped_and_unknown_words_as_UNK()
    {
        using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions());
        string[] vocabulary = File.ReadAllLines(EncoderModel.FilePath("bert_gelu.vocab.txt"));
        Assert.Equal(["[CLS]", "hello", ",", "world", "!", "the", "cat", "sat", ".", "[SEP]"], Pieces(encoder, vocabulary, "Hello, world! The cat sat."));
        Assert.Equal(["[CLS]", "z", "##z", "##z", "[SEP]"], Pieces(encoder, vocabulary, "ZZZ"));
        Assert.Equal(["[CLS]", "hello", "cat", "##s", "[SEP]"], Pieces(encoder, vocabulary, "Hello  cats"));

        // Accents are stripped by Unicode decomposition (ICU); under invariant globalization (the arm64 run in CI) an
        // uncased encoder refuses non-ASCII text instead of giving it other tokens.
        if (SentenceEncoder.CanStripAccents)
        {
            Assert.Equal(["[CLS]", "hello", "cat", "##s", "[SEP]"], Pieces(encoder, vocabulary, "Héllo  cats"));
            Assert.Equal(["[CLS]", "[UNK]", "[SEP]"], Pieces(encoder, vocabulary, "€"));
        }
        else
        {
            InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Pieces(encoder, vocabulary, "Héllo"));
            Assert.Contains("invariant globalization", e.Message, StringComparison.Ordinal);
        }

        // As Hugging Face's BertTokenizer: every ASCII symbol is punctuation, a line break separates words, control characters go.
        Assert.Equal(["[CLS]", "a", "[UNK]", "b", "[SEP]"], Pieces(encoder, vocabulary, "a$b"));
        Assert.Equal(["[CLS]", "cat", "dog", "[SEP]"], Pieces(encoder, vocabulary, "cat\ndog"));
        Assert.Equal(["[CLS]", "cat", "##s", "[SEP]"], Pieces(encoder, vocabulary, "cat\u0000s"));
        Assert.Equal(["[CLS]", "[SEP]"], Pieces(encoder, vocabulary, string.Empty));
    }

    [Fact]
    public void Cased_vocabularies_keep_the_case()
    {
        using SentenceEncoder<BertTanh> encoder = Create<BertTanh>("bert_tanh", new SentenceEncoderOptions { LowerCase = false });
        string[] vocabulary = File.ReadAllLines(EncoderModel.FilePath("bert_tanh.vocab.txt"));
        Assert.Equal(["[CLS]", "Hello", "World", "hello", "[UNK]", "[SEP]"], Pieces(encoder, vocabulary, "Hello World hello HELLO"));
    }

    [Fact]
    public void Long_texts_keep_their_first_word_pieces_and_end_with_SEP()
    {
        using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxTokens = 5 });
        string[] vocabulary = File.ReadAllLines(EncoderModel.FilePath("bert_gelu.vocab.txt"));
        Assert.Equal(["[CLS]", "the", "cat", "sat", "[SEP]"], Pieces(encoder, vocabulary, "the cat sat on the mat"));
        Assert.Equal(["[CLS]", "z", "##z", "##z", "[SEP]"], Pieces(encoder, vocabulary, "zzzz"));

        // The default is the model's 64 positions.
        using SentenceEncoder<BertGelu> full = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions());
        Assert.Equal(64, full.MaxTokens);
        var ids = new int[64];
        Assert.Equal(64, full.Tokenize(string.Join(' ', Enumerable.Repeat("cat", 100)), ids));
        Assert.Equal(3, ids[63]); // [SEP]
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void Bert_gelu_embeddings_are_the_reference_pipelines_bits(KernelPath path, int threads)
    {
        foreach (PoolingMode pooling in new[] { PoolingMode.Mean, PoolingMode.Cls })
        {
            foreach (bool normalize in new[] { false, true })
            {
                ReferenceBits<BertGelu>("bert_gelu", new SentenceEncoderOptions { Pooling = pooling, Normalize = normalize, Path = path, Threads = threads, MaxBatch = 3 });
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void Bert_tanh_embeddings_are_the_reference_pipelines_bits(KernelPath path, int threads) =>
        ReferenceBits<BertTanh>("bert_tanh", new SentenceEncoderOptions { Normalize = true, Path = path, Threads = threads, LowerCase = false });

    [Fact]
    public void A_sentence_has_the_same_vector_alone_in_any_batch_at_any_position_and_on_two_threads()
    {
        float[] alone = EmbedEach<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxBatch = 1 });
        foreach (int maxBatch in new[] { 1, 2, 3, 8, 16 })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxBatch = maxBatch, Threads = threads });
                var all = new float[Sentences.Length * encoder.Dimension];
                encoder.Embed(Sentences, all);
                EncoderSessionTests.AssertBits(alone, all, $"the list in batches of {maxBatch} on {threads} thread(s)");

                // Reversed, and with the list repeated: each row is still its sentence's vector.
                string[] twice = [.. Sentences.Reverse(), .. Sentences];
                var rows = new float[twice.Length * encoder.Dimension];
                encoder.Embed(twice, rows);
                for (int i = 0; i < twice.Length; i++)
                {
                    int s = Array.IndexOf(Sentences, twice[i]);
                    Assert.True(alone.AsSpan(s * encoder.Dimension, encoder.Dimension).SequenceEqual(rows.AsSpan(i * encoder.Dimension, encoder.Dimension)), $"row {i} ('{twice[i]}') in batches of {maxBatch}");
                }
            }
        }
    }

    [Fact]
    public void Dense_layers_streamed_from_a_packed_file_give_the_same_vectors()
    {
        string folder = Directory.CreateTempSubdirectory("sck-embed-packed-").FullName;
        try
        {
            string packed = Path.Combine(folder, "bert_gelu.sckw");
            PackedWeightsFile.Write(EncoderWeights<BertGelu>.FromSafetensors(EncoderModel.FilePath("bert_gelu.safetensors")).Dense, packed);
            float[] alone = EmbedEach<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxBatch = 1, Normalize = true });
            long slot = EncoderSession<BertGelu>.MinimumWeightBudget;
            foreach (long budget in new[] { 0, slot, 2 * slot })
            {
                // Create loads only the embedding tables and layer norms from the safetensors file.
                using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { PackedWeights = packed, WeightBudget = budget, MaxBatch = 3, Normalize = true });
                var all = new float[Sentences.Length * encoder.Dimension];
                encoder.Embed(Sentences, all);
                EncoderSessionTests.AssertBits(alone, all, $"streamed within {budget} bytes, batches of 3");
            }

            ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { PackedWeights = packed, Threads = 2 }));
            Assert.Contains("computes on one thread", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { PackedWeights = packed, WeightBudget = slot - 1 }));
            Assert.Contains($"the minimum budget is {slot} bytes", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Embedding_tokens_allocates_nothing_after_warm_up()
    {
        using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxBatch = 4, Normalize = true });
        var ids = new List<int>();
        var lengths = new int[Sentences.Length];
        var buffer = new int[encoder.MaxTokens];
        for (int i = 0; i < Sentences.Length; i++)
        {
            lengths[i] = encoder.Tokenize(Sentences[i], buffer);
            ids.AddRange(buffer.Take(lengths[i]));
        }

        int[] tokens = [.. ids];
        var vectors = new float[Sentences.Length * encoder.Dimension];

        // Warm-up: the scratch grows on the first call, and the runtime's tiering may still compile (and allocate) on
        // the next few; the claim is about a call in the steady state.
        for (int i = 0; i < 3; i++)
        {
            encoder.EmbedTokens(tokens, lengths, vectors);
        }

        SteadyState.AssertAllocatesNothing(() => encoder.EmbedTokens(tokens, lengths, vectors), callsPerWindow: 1);

        var fromText = new float[vectors.Length];
        encoder.Embed(Sentences, fromText);
        EncoderSessionTests.AssertBits(vectors, fromText, "EmbedTokens against Embed");

        // From text, only the tokenizer allocates: its normalised copy of each text (1,112 bytes for these 8 texts of 210 characters).
        long before = GC.GetAllocatedBytesForCurrentThread();
        encoder.Embed(Sentences, fromText);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        int characters = Sentences.Sum(s => s.Length);
        TestContext.Current.TestOutputHelper?.WriteLine($"Embed: {allocated} bytes for {Sentences.Length} texts of {characters} characters");
        Assert.InRange(allocated, 0, (16 * characters) + (512 * Sentences.Length));
    }

    [Fact]
    public void Bad_input_is_refused_with_the_reason()
    {
        using SentenceEncoder<BertGelu> encoder = Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxTokens = 8 });
        ArgumentException e = Assert.Throws<ArgumentException>(() => encoder.Embed(Sentences, new float[5]));
        Assert.Contains($"{Sentences.Length} texts need {Sentences.Length * 32} floats", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => encoder.Embed(["a", null!], new float[64]));
        Assert.Contains("texts[1] is null", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => encoder.EmbedTokens([2, 3], [3], new float[32]));
        Assert.Contains("add up to 3 tokens; tokenIds holds 2", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => encoder.EmbedTokens([2, 3], [2, 0], new float[64]));
        Assert.Contains("lengths[1] is 0", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => encoder.EmbedTokens(new int[9], [9], new float[32]));
        Assert.Contains("1 to 8 tokens", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => encoder.EmbedTokens([2, 100, 3], [3], new float[32]));
        Assert.Contains("input_ids[0, 1] is 100", e.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxTokens = 65 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create<BertGelu>("bert_gelu", new SentenceEncoderOptions { MaxBatch = 0 }));

        // bert_tanh's vocabulary (200 tokens) is not bert_gelu's (100 embeddings).
        InvalidDataException v = Assert.Throws<InvalidDataException>(() => SentenceEncoder<BertGelu>.Create(EncoderModel.FilePath("bert_gelu.safetensors"), EncoderModel.FilePath("bert_tanh.vocab.txt")));
        Assert.Contains("has 200 tokens, but the model has 100 word embeddings", v.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SentenceEncoder<BertGelu>.Create(EncoderModel.FilePath("bert_gelu.json"), EncoderModel.FilePath("bert_gelu.vocab.txt")));
        Assert.Contains("neither an .onnx model nor a .safetensors file", e.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => SentenceEncoder.LoadTokenizer(EncoderModel.FilePath("missing.vocab.txt")));

        string dir = Directory.CreateTempSubdirectory("simdcheckpoint-vocab").FullName;
        try
        {
            string blank = Path.Combine(dir, "blank.txt");
            File.WriteAllLines(blank, ["[PAD]", "[UNK]", string.Empty, "[CLS]"]);
            v = Assert.Throws<InvalidDataException>(() => SentenceEncoder.LoadTokenizer(blank));
            Assert.Contains("line 3 is empty", v.Message, StringComparison.Ordinal);
            File.WriteAllLines(blank, ["[PAD]", "[UNK]", "[SEP]", "a", "a"]);
            v = Assert.Throws<InvalidDataException>(() => SentenceEncoder.LoadTokenizer(blank));
            Assert.Contains("line 5 repeats the token 'a'", v.Message, StringComparison.Ordinal);
            File.WriteAllLines(blank, ["[PAD]", "[UNK]", "[SEP]", "a"]);
            v = Assert.Throws<InvalidDataException>(() => SentenceEncoder.LoadTokenizer(blank));
            Assert.Contains("has no [CLS] token", v.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static SentenceEncoder<TNetwork> Create<TNetwork>(string name, SentenceEncoderOptions options)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        SentenceEncoder<TNetwork>.Create(EncoderModel.FilePath(name + ".safetensors"), EncoderModel.FilePath(name + ".vocab.txt"), options);

    private static string[] Pieces<TNetwork>(SentenceEncoder<TNetwork> encoder, string[] vocabulary, string text)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var ids = new int[encoder.MaxTokens];
        int n = encoder.Tokenize(text, ids);
        return [.. ids.Take(n).Select(i => vocabulary[i])];
    }

    /// <summary>Each sentence embedded alone, row after row.</summary>
    private static float[] EmbedEach<TNetwork>(string name, SentenceEncoderOptions options)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        using SentenceEncoder<TNetwork> encoder = Create<TNetwork>(name, options);
        var rows = new float[Sentences.Length * encoder.Dimension];
        for (int i = 0; i < Sentences.Length; i++)
        {
            encoder.Embed(Sentences[i], rows.AsSpan(i * encoder.Dimension, encoder.Dimension));
        }

        return rows;
    }

    /// <summary>The list embedded against the scalar reference encoder and pooling, one sentence at a time.</summary>
    private static void ReferenceBits<TNetwork>(string name, SentenceEncoderOptions options)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        EncoderModel model = EncoderModel.Load(name);
        using SentenceEncoder<TNetwork> encoder = Create<TNetwork>(name, options);
        int hidden = encoder.Dimension;
        var actual = new float[Sentences.Length * hidden];
        encoder.Embed(Sentences, actual);
        var expected = new float[actual.Length];
        var ids = new int[encoder.MaxTokens];
        for (int i = 0; i < Sentences.Length; i++)
        {
            int n = encoder.Tokenize(Sentences[i], ids);
            int[] mask = Enumerable.Repeat(1, n).ToArray();
            int[]? types = TNetwork.Spec.Encoder!.TokenTypeInput ? new int[n] : null;
            float[] last = ReferenceEncoder.Run(TNetwork.Spec, model.Tensors, ids[..n], mask, types, 1, n)[EncoderConfig.DefaultLastHiddenState];
            ReferenceEncoder.Pool(last, mask, 1, n, hidden, options.Pooling, options.Normalize).CopyTo(expected, i * hidden);
        }

        EncoderSessionTests.AssertBits(expected, actual, $"{name} {options.Pooling}{(options.Normalize ? " normalised" : string.Empty)} on {options.Path}, {options.Threads} thread(s)");
    }
}

/// <summary>
/// The same pipeline in ONNX Runtime 1.31 on the exported models (our token ids, its encoder, pooling in double): our
/// vectors within 1e-5 and a cosine of at least 0.99999, for mean and CLS pooling (x64 only: its native library does not run under qemu).
/// </summary>
[Trait("Native", "OnnxRuntime")]
public sealed class OnnxRuntimeEmbeddingAgreementTests
{
    public const double Tolerance = 1e-5;

    public const double MinimumCosine = 0.99999;

    [Theory]
    [InlineData(PoolingMode.Mean, false)]
    [InlineData(PoolingMode.Mean, true)]
    [InlineData(PoolingMode.Cls, false)]
    [InlineData(PoolingMode.Cls, true)]
    public void Bert_gelu_opset13(PoolingMode pooling, bool normalize) => Agree<BertGeluOp13>("bert_gelu", pooling, normalize, lowerCase: true);

    [Theory]
    [InlineData(PoolingMode.Mean, true)]
    [InlineData(PoolingMode.Cls, false)]
    public void Bert_tanh_opset17(PoolingMode pooling, bool normalize) => Agree<BertTanhOp17>("bert_tanh", pooling, normalize, lowerCase: false);

    private static void Agree<TNetwork>(string name, PoolingMode pooling, bool normalize, bool lowerCase)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        string onnx = EncoderModel.FilePath($"{name}.{(name == "bert_gelu" ? "op13" : "op17")}.onnx");
        var options = new SentenceEncoderOptions { Pooling = pooling, Normalize = normalize, LowerCase = lowerCase };
        using SentenceEncoder<TNetwork> encoder = SentenceEncoder<TNetwork>.Create(onnx, EncoderModel.FilePath(name + ".vocab.txt"), options);
        int hidden = encoder.Dimension;
        var ours = new float[SentenceEncoderTests.Sentences.Length * hidden];
        encoder.Embed(SentenceEncoderTests.Sentences, ours);

        // ONNX Runtime on one right-padded batch of every sentence, pooled in double.
        var lengths = new int[SentenceEncoderTests.Sentences.Length];
        var tokenized = new List<int[]>();
        var buffer = new int[encoder.MaxTokens];
        foreach (string s in SentenceEncoderTests.Sentences)
        {
            int n = encoder.Tokenize(s, buffer);
            tokenized.Add(buffer[..n]);
        }

        int batch = tokenized.Count, sequence = tokenized.Max(t => t.Length);
        var ids = new long[batch * sequence];
        var mask = new long[batch * sequence];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < tokenized[b].Length; t++)
            {
                ids[(b * sequence) + t] = tokenized[b][t];
                mask[(b * sequence) + t] = 1;
            }
        }

        float[] last = RunOnnxRuntime(onnx, ids, mask, TNetwork.Spec.Encoder!.TokenTypeInput, batch, sequence);
        double worst = 0, worstCosine = 1;
        for (int b = 0; b < batch; b++)
        {
            var expected = new double[hidden];
            int real = tokenized[b].Length;
            for (int j = 0; j < hidden; j++)
            {
                if (pooling == PoolingMode.Cls)
                {
                    expected[j] = last[b * sequence * hidden + j];
                    continue;
                }

                for (int t = 0; t < real; t++)
                {
                    expected[j] += last[(((b * sequence) + t) * hidden) + j];
                }

                expected[j] /= real;
            }

            if (normalize)
            {
                double norm = Math.Max(Math.Sqrt(expected.Sum(x => x * x)), 1e-12);
                for (int j = 0; j < hidden; j++)
                {
                    expected[j] /= norm;
                }
            }

            double dot = 0, a2 = 0, b2 = 0;
            for (int j = 0; j < hidden; j++)
            {
                double o = ours[(b * hidden) + j];
                worst = Math.Max(worst, Math.Abs(o - expected[j]));
                dot += o * expected[j];
                a2 += o * o;
                b2 += expected[j] * expected[j];
            }

            worstCosine = Math.Min(worstCosine, dot / Math.Sqrt(a2 * b2));
        }

        Assert.True(worst <= Tolerance, $"{name} {pooling}{(normalize ? " normalised" : string.Empty)}: largest difference from ONNX Runtime {worst:E3} > {Tolerance:E0}");
        Assert.True(worstCosine >= MinimumCosine, $"{name} {pooling}: smallest cosine with ONNX Runtime {worstCosine:F9} < {MinimumCosine}");
    }

    private static float[] RunOnnxRuntime(string file, long[] ids, long[] mask, bool tokenTypes, int batch, int sequence)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(file, options);
        long[] shape = [batch, sequence];
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(ids, shape), OrtValue.CreateTensorValueFromMemory(mask, shape) };
        if (tokenTypes)
        {
            names.Add("token_type_ids");
            values.Add(OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape));
        }

        try
        {
            using var run = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, names, values, ["last_hidden_state"]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (OrtValue v in values)
            {
                v.Dispose();
            }
        }
    }
}
