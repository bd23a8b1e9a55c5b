using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Cli.Compilation;
using FastBertTokenizer;
using SimdCheckpoint.Embeddings;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint embed</c>; <see cref="CacheDirectory"/> (null: the environment's) is for tests.</summary>
internal sealed record EmbedArguments(
    string Model,
    string Vocabulary,
    string Output,
    IReadOnlyList<string> Texts,
    string? Input = null,
    string? Weights = null,
    string Pooling = "mean",
    bool Normalize = false,
    bool Cased = false,
    int MaxTokens = 0,
    int Batch = 16,
    int Threads = 1,
    string Path = "auto",
    bool Verbose = false,
    string? CacheDirectory = null,
    string? Packed = null,
    string? WeightBudget = null);

/// <summary>
/// <c>simdcheckpoint embed</c>: sentences to vectors with an encoder model, its vocab.txt and the library's
/// <c>SentenceEncoder</c> (WordPiece, the encoder, mean or CLS pooling, optional L2 normalisation), one row per sentence
/// in input order, into a float32 .npy of shape (sentences, hidden).
/// </summary>
internal static class EmbedCommand
{
    public static readonly string[] PoolingNames = ["mean", "cls"];

    /// <param name="cacheDirectory">The compiled-model cache; null for the environment's (tests pass their own).</param>
    public static Command Create(string? cacheDirectory = null)
    {
        Option<string> model = ModelOptions.Model();
        Option<string?> weights = ModelOptions.Weights();
        var vocabulary = new Option<string>("--vocab")
        {
            Description = "The model's WordPiece vocabulary (vocab.txt: one token per line, the line number its id).",
            Required = true,
        };
        var text = new Option<string[]>("--text", "-t")
        {
            Description = "A sentence to embed (repeatable, in order).",
            Arity = ArgumentArity.OneOrMore,
        };
        var input = new Option<string?>("--input", "-i") { Description = "A UTF-8 text file of sentences, one per line (no empty line)." };
        var output = new Option<string>("--output", "-o") { Description = "Where the vectors go: a float32 .npy of shape (sentences, hidden), in input order.", Required = true };
        var pooling = new Option<string>("--pooling")
        {
            Description = "mean: the average of the real tokens' vectors ([CLS] and [SEP] included; sentence-transformers' mean pooling); cls: the first token's vector.",
            DefaultValueFactory = _ => PoolingNames[0],
        };
        pooling.AcceptOnlyFromAmong(PoolingNames);
        var normalize = new Option<bool>("--normalize") { Description = "Divide each vector by its L2 norm (dot products become cosines)." };
        var cased = new Option<bool>("--cased") { Description = "Keep the text's case and accents (a cased vocabulary); by default text is lower-cased and accents stripped, as uncased BERT models expect." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Truncate each sentence to this many tokens, [CLS] and [SEP] included (default: the model's position count)." };
        var batch = new Option<int>("--batch") { Description = "Sentences per encoder call (shortest first; the vectors do not depend on it).", DefaultValueFactory = _ => 16 };
        var threads = new Option<int>("--threads") { Description = "Threads per encoder call (the vectors do not depend on it).", DefaultValueFactory = _ => 1 };
        var packed = new Option<string?>("--packed")
        {
            Description = "Stream the encoder's dense layers from a packed weights file (.sckw, written by simdcheckpoint pack from the same model) instead of holding them; the embedding tables and layer norms come from the model's weights. One thread computes; the vectors are the same bits.",
        };
        var weightBudget = new Option<string?>("--weight-budget")
        {
            Description = "With --packed: the most bytes of dense weights held at once (e.g. 64MiB; at least the largest dense layer). Default: every layer, read once.",
        };
        Option<string> path = ModelOptions.Path();
        Option<bool> verbose = ModelOptions.Verbose();
        var command = new Command("embed", "Embed sentences with an encoder model (.onnx, or .json with --weights) and its vocab.txt: WordPiece, the encoder, mean or CLS pooling, optional L2 normalisation; one row per sentence, in input order, into a .npy file.")
        {
            model, weights, vocabulary, text, input, output, pooling, normalize, cased, maxTokens, batch, threads, packed, weightBudget, path, verbose,
        };
        command.SetAction(result => Run(
            new EmbedArguments(
                result.GetValue(model)!,
                result.GetValue(vocabulary)!,
                result.GetValue(output)!,
                result.GetValue(text) ?? [],
                result.GetValue(input),
                result.GetValue(weights),
                result.GetValue(pooling)!,
                result.GetValue(normalize),
                result.GetValue(cased),
                result.GetValue(maxTokens),
                result.GetValue(batch),
                result.GetValue(threads),
                result.GetValue(path)!,
                result.GetValue(verbose),
                cacheDirectory,
                result.GetValue(packed),
                result.GetValue(weightBudget)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(EmbedArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
#if NATIVE_AOT
        _ = output;
        error.WriteLine(ModelOptions.NeedsJit("embed"));
        return CommandLineInvocation.BadInput;
#else
        return CommandLineInvocation.Guard("embed", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
#endif
    }

    /// <summary>The sentences of a text file: one per line, a final line break optional, no empty line.</summary>
    internal static List<string> ReadSentences(string path)
    {
        ModelOptions.RequireFile(path, "a text file of sentences, one per line");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(path, "cannot be read: " + e.Message, e);
        }

        var sentences = new List<string>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                throw new UserInputException(path, $"line {i + 1} is empty; give one sentence per line (an empty line would be a vector of [CLS] [SEP] alone).");
            }

            sentences.Add(lines[i]);
        }

        if (sentences.Count == 0)
        {
            throw new UserInputException(path, "holds no sentence.");
        }

        return sentences;
    }

#if !NATIVE_AOT
    private static int RunCore(EmbedArguments a, TextWriter output, TextWriter error)
    {
        KernelPath path = ModelOptions.ParsePath(a.Path);
        if ((a.Texts.Count > 0) == (a.Input is not null))
        {
            throw new UserInputException("embed", a.Input is null ? "give the sentences, as --text \"...\" (repeatable) or --input sentences.txt." : "give --text or --input, not both.");
        }

        if (a.Batch < 1 || a.Threads < 1 || a.MaxTokens < 0)
        {
            throw new UserInputException("embed", "--batch and --threads must be at least 1, and --max-tokens at least 2 (or 0 for the model's positions).");
        }

        LoadedModel model = ModelFile.Load(a.Model, a.Weights, WeightLayout.OutputsByInputs);
        EncoderConfig config = model.Spec.Encoder
            ?? throw new UserInputException(a.Model, $"is not an encoder ({ShapeText.Abbreviate(model.Spec)}): embed needs a BERT-style encoder (docs/onnx.md, Encoders).");
        if (a.MaxTokens == 1 || a.MaxTokens > config.Positions)
        {
            throw new UserInputException("--max-tokens", $"{a.MaxTokens} is out of range: from 2 ([CLS] and [SEP]) to {model.Spec.Name}'s {config.Positions} positions.");
        }

        long? budget = a.WeightBudget is null ? null : ByteSize.Parse(a.WeightBudget, "--weight-budget");
        if (a.Packed is null && budget is not null)
        {
            throw new UserInputException("--weight-budget", "streams a packed weights file; give --packed FILE.sckw too (simdcheckpoint pack --model M --out FILE.sckw writes one).");
        }

        if (a.Packed is not null)
        {
            ModelOptions.RequireFile(a.Packed, "a packed weights file (.sckw)");
            if (a.Threads != 1)
            {
                throw new UserInputException("--threads", "an encoder streaming its dense layers (--packed) computes on one thread; leave out --threads.");
            }
        }

        WeightsSource weights = model.RequireWeights();
        IReadOnlyList<string> sentences = a.Input is null ? a.Texts : ReadSentences(a.Input);
        ModelOptions.RequireFile(a.Vocabulary, "a vocab.txt");
        ArrayFiles.RequireOutputPath(a.Output);
        var options = new SentenceEncoderOptions
        {
            Pooling = a.Pooling == "cls" ? PoolingMode.Cls : PoolingMode.Mean,
            Normalize = a.Normalize,
            LowerCase = !a.Cased,
            MaxTokens = a.MaxTokens,
            MaxBatch = a.Batch,
            Threads = a.Threads,
            Path = path,
            PackedWeights = a.Packed,
            WeightBudget = budget ?? 0,
        };
        BertTokenizer tokenizer;
        try
        {
            tokenizer = SentenceEncoder.LoadTokenizer(a.Vocabulary, options.LowerCase, config.Vocabulary);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(a.Vocabulary, e.Message.Replace($"'{a.Vocabulary}' ", string.Empty, StringComparison.Ordinal), e);
        }

        CompiledModel compiled = ModelCompiler.CompileAndReport(model, gradients: false, a.CacheDirectory, a.Verbose, error, "embed");
        EmbedResult result;
        try
        {
            result = NetworkTypeCall.Invoke<EmbedResult>(typeof(EmbedCommand), nameof(Embed), compiled.NetworkType, model, weights, tokenizer, sentences, options);
        }
        catch (InvalidOperationException e) when (!SentenceEncoder.CanStripAccents)
        {
            // This tool runs with invariant globalization (no ICU), so it cannot strip accents for an uncased model.
            throw new UserInputException(a.Input ?? "--text", "holds non-ASCII text, and this build of simdcheckpoint runs without ICU, so it cannot strip accents as an uncased model needs; give ASCII text, or embed it with the library in an app that has ICU.", e);
        }

        ArrayFiles.Write(a.Output, result.Vectors, [sentences.Count, config.Hidden]);
        output.WriteLine($"embed: {model.Path} (encoder: {config}), {sentences.Count} sentence(s), {result.Tokens:N0} tokens, path {result.Path}{(path == KernelPath.Auto ? " (auto)" : string.Empty)}");
        output.WriteLine($"  weights  {weights.Description}{(a.Packed is null ? string.Empty : $"; dense layers streamed from {a.Packed}, {(budget is null ? "every layer read once" : $"within {a.WeightBudget}")}")}");
        output.WriteLine($"  text     {a.Vocabulary} ({(a.Cased ? "cased" : "lower-cased, accents stripped")}), at most {result.MaxTokens} tokens a sentence{(result.Truncated > 0 ? $"; {result.Truncated} sentence(s) reached that limit (truncated, or exactly that long)" : string.Empty)}");
        output.WriteLine($"  pooling  {a.Pooling}{(a.Normalize ? ", L2-normalised" : string.Empty)}; batches of up to {a.Batch}, {a.Threads} thread(s)");
        output.WriteLine($"  embed    {result.Elapsed.TotalMilliseconds:F3} ms (one call, the first: it includes compiling the kernels' machine code)");
        output.WriteLine($"  wrote    {a.Output} ({sentences.Count}, {config.Hidden})");
        return CommandLineInvocation.Success;
    }

    private static EmbedResult Embed<TNetwork>(LoadedModel model, WeightsSource weights, BertTokenizer tokenizer, IReadOnlyList<string> sentences, SentenceEncoderOptions options)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        if (!TNetwork.Spec.Equals(model.Spec))
        {
            throw new InternalErrorException($"the compiled network ({TNetwork.Spec}) is not the one {model.Path} describes ({model.Spec}).");
        }

        SentenceEncoder<TNetwork> created;
        try
        {
            created = new SentenceEncoder<TNetwork>(weights.LoadEncoder<TNetwork>(includeDense: options.PackedWeights is null), tokenizer, options);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "weightBudget")
        {
            throw new UserInputException("--weight-budget", $"{options.WeightBudget} bytes cannot hold {TNetwork.Spec.Name}'s largest dense layer: give at least {EncoderSession<TNetwork>.MinimumWeightBudget} bytes ({EncoderSession<TNetwork>.MinimumWeightBudget / 1024.0:F1} KiB), or twice that so a layer is read while the one before computes.", e);
        }

        using SentenceEncoder<TNetwork> encoder = created;
        long tokens = 0;
        int truncated = 0;
        var ids = new int[encoder.MaxTokens];
        foreach (string s in sentences)
        {
            int n = encoder.Tokenize(s, ids);
            tokens += n;
            truncated += n == encoder.MaxTokens ? 1 : 0;
        }

        var vectors = new float[(long)sentences.Count * encoder.Dimension];
        long start = Stopwatch.GetTimestamp();
        encoder.Embed(sentences, vectors);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        return new EmbedResult(vectors, tokens, truncated, encoder.MaxTokens, options.Path == KernelPath.Auto ? TNetwork.AutoPath : options.Path, elapsed);
    }

    private sealed record EmbedResult(float[] Vectors, long Tokens, int Truncated, int MaxTokens, KernelPath Path, TimeSpan Elapsed);
#endif
}
