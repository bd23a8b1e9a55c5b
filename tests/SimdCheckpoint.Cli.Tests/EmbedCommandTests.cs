using System;
using System.IO;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Embeddings;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>
/// `simdcheckpoint embed`: sentences from --text or a file to a (sentences, hidden) .npy with the bits of the library's
/// SentenceEncoder on the same ONNX file compiled at build time, in input order; mistakes are one-line errors.
/// </summary>
public sealed class EmbedCommandTests(SharedModelCache cache) : IDisposable
{
    private static readonly string[] Sentences = ["The dog runs fast.", "Hello, world! The cat sat on the mat.", "zzz", "Héllo wörld"];

    private readonly string _directory = Directory.CreateTempSubdirectory("sck-cli-embed-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("mean", false)]
    [InlineData("mean", true)]
    [InlineData("cls", true)]
    public void Embed_from_a_file_gives_the_librarys_bits_one_row_per_sentence_in_order(string pooling, bool normalize)
    {
        string input = Path.Combine(_directory, "sentences.txt"), output = Path.Combine(_directory, "e.npy");
        File.WriteAllText(input, string.Join('\n', Sentences) + "\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = EmbedCommand.Run(Arguments(output) with { Input = input, Pooling = pooling, Normalize = normalize, Batch = 3 }, stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("4 sentence(s)", stdout.ToString(), StringComparison.Ordinal);

        NpyArray vectors = NpyFile.Read(output);
        Assert.Equal([4, 32], vectors.Shape);
        var options = new SentenceEncoderOptions { Pooling = pooling == "cls" ? PoolingMode.Cls : PoolingMode.Mean, Normalize = normalize };
        using var encoder = SentenceEncoder<BertGeluOp13>.Create(EncoderCommandTests.ModelPath("bert_gelu.op13.onnx"), EncoderCommandTests.ModelPath("bert_gelu.vocab.txt"), options);
        for (int i = 0; i < Sentences.Length; i++)
        {
            Bits.Equal(encoder.Embed(Sentences[i]), vectors.Data.AsSpan(i * 32, 32).ToArray(), $"sentence {i} ('{Sentences[i]}')");
        }
    }

    [Fact]
    public void Texts_given_on_the_command_line_come_out_in_order_and_batching_and_threads_do_not_change_a_bit()
    {
        string one = Path.Combine(_directory, "one.npy"), two = Path.Combine(_directory, "two.npy");
        var stderr = new StringWriter();
        Assert.True(EmbedCommand.Run(Arguments(one) with { Texts = Sentences, Batch = 1 }, TextWriter.Null, stderr) == 0, stderr.ToString());
        Assert.True(EmbedCommand.Run(Arguments(two) with { Texts = [.. Sentences, Sentences[0]], Batch = 16, Threads = 2, Path = "vector128" }, TextWriter.Null, stderr) == 0, stderr.ToString());
        float[] a = NpyFile.Read(one).Data, b = NpyFile.Read(two).Data;
        Bits.Equal(a, b.AsSpan(0, a.Length).ToArray(), "batches of 1 on one thread against batches of 16 on two (Vector128)");
        Bits.Equal(a.AsSpan(0, 32).ToArray(), b.AsSpan(a.Length, 32).ToArray(), "the first sentence again at the end");
    }

    [Fact]
    public void Mistakes_are_one_line_errors()
    {
        string output = Path.Combine(_directory, "e.npy"), input = Path.Combine(_directory, "s.txt");
        Error(Arguments(output), "give the sentences, as --text");
        File.WriteAllText(input, "one\n\ntwo\n");
        Error(Arguments(output) with { Texts = ["a"], Input = input }, "give --text or --input, not both");
        Error(Arguments(output) with { Input = input }, "line 2 is empty");
        Error(Arguments(output) with { Texts = ["a"], Vocabulary = EncoderCommandTests.ModelPath("bert_tanh.vocab.txt") }, "has 200 tokens, but the model has 100 word embeddings");
        Error(Arguments(output) with { Texts = ["a"], Vocabulary = Path.Combine(_directory, "missing.txt") }, "no such file (a vocab.txt)");
        Error(Arguments(output) with { Texts = ["a"], MaxTokens = 65 }, "out of range: from 2 ([CLS] and [SEP]) to ");
        Error(Arguments(output) with { Texts = ["a"], Model = Path.Combine(AppContext.BaseDirectory, "Models", "onnx", "mlp_relu.onnx") }, "is not an encoder");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_encoder_packed_by_pack_streams_its_dense_layers_with_the_same_bits()
    {
        string model = EncoderCommandTests.ModelPath("bert_gelu.op13.onnx");
        string packed = Path.Combine(_directory, "bert_gelu.sckw");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(PackCommand.Run(new PackArguments(model, packed, CacheDirectory: cache.Path), stdout, stderr) == 0, stderr.ToString());
        Assert.Contains("the dense layers only", stdout.ToString(), StringComparison.Ordinal);
        using (PackedWeightsFile file = PackedWeightsFile.Open(packed))
        {
            Assert.Equal(BertGeluOp13.Spec.Layers.Count, file.Layers.Count);
        }

        // In memory; streamed within one buffer (12 KiB: the largest dense layer) and with every layer read once.
        string whole = Path.Combine(_directory, "whole.npy"), small = Path.Combine(_directory, "small.npy"), once = Path.Combine(_directory, "once.npy");
        Assert.True(EmbedCommand.Run(Arguments(whole) with { Texts = Sentences, Normalize = true }, TextWriter.Null, stderr) == 0, stderr.ToString());
        stdout = new StringWriter();
        Assert.True(EmbedCommand.Run(Arguments(small) with { Texts = Sentences, Normalize = true, Packed = packed, WeightBudget = "12KiB", Batch = 3 }, stdout, stderr) == 0, stderr.ToString());
        Assert.Contains($"dense layers streamed from {packed}, within 12KiB", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(EmbedCommand.Run(Arguments(once) with { Texts = Sentences, Normalize = true, Packed = packed }, TextWriter.Null, stderr) == 0, stderr.ToString());
        float[] expected = NpyFile.Read(whole).Data;
        Bits.Equal(expected, NpyFile.Read(small).Data, "streamed within 12 KiB, batches of 3");
        Bits.Equal(expected, NpyFile.Read(once).Data, "streamed, every layer read once");

        // Mistakes: a budget below the largest layer, a budget without a file, threads, another model's file, --seed for an encoder.
        string output = Path.Combine(_directory, "e.npy");
        Error(Arguments(output) with { Texts = ["a"], Packed = packed, WeightBudget = "1KiB" }, "--weight-budget: 1024 bytes cannot hold");
        Error(Arguments(output) with { Texts = ["a"], WeightBudget = "1MiB" }, "give --packed FILE.sckw too");
        Error(Arguments(output) with { Texts = ["a"], Packed = packed, Threads = 2 }, "computes on one thread");
        Error(Arguments(output) with { Texts = ["a"], Packed = Path.Combine(_directory, "missing.sckw") }, "no such file");
        string other = Path.Combine(_directory, "tanh.sckw");
        Assert.True(PackCommand.Run(new PackArguments(EncoderCommandTests.ModelPath("bert_tanh.op13.onnx"), other, CacheDirectory: cache.Path), TextWriter.Null, stderr) == 0, stderr.ToString());
        Error(Arguments(output) with { Texts = ["a"], Packed = other }, "was packed for a network with spec fingerprint");
        Assert.False(File.Exists(output));
        stderr = new StringWriter();
        Assert.Equal(CommandLineInvocation.BadInput, PackCommand.Run(new PackArguments(model, Path.Combine(_directory, "seeded.sckw"), Seed: 3, CacheDirectory: cache.Path), TextWriter.Null, stderr));
        Assert.Contains("--seed: makes only dense layers", stderr.ToString(), StringComparison.Ordinal);
    }

    private static void Error(EmbedArguments arguments, string expected)
    {
        var stderr = new StringWriter();
        Assert.Equal(CommandLineInvocation.BadInput, EmbedCommand.Run(arguments, TextWriter.Null, stderr));
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().Trim().Split('\n'), line => line.Contains("error:", StringComparison.Ordinal));
    }

    private EmbedArguments Arguments(string output) =>
        new(EncoderCommandTests.ModelPath("bert_gelu.op13.onnx"), EncoderCommandTests.ModelPath("bert_gelu.vocab.txt"), output, [], CacheDirectory: cache.Path);
}
