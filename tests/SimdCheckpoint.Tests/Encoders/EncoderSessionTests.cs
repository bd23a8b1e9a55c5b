using System;
using System.Collections.Generic;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Encoders;

/// <summary>
/// The committed BERT-style encoders (tests/models/bert), compiled from their JSON specs with weights from safetensors:
/// every path and thread count gives the scalar reference's bits, a sequence gives the same bits alone and inside any
/// padded batch, the outputs agree with PyTorch's within 2e-5, and a call touches exactly the activation bytes the
/// session states and allocates nothing.
/// </summary>
public sealed class EncoderSessionTests
{
    public const float PyTorchTolerance = 2e-5f;

    public static TheoryData<KernelPath, int> PathsAndThreads()
    {
        var data = new TheoryData<KernelPath, int>();
        foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
        {
            data.Add(path, 1);
            data.Add(path, 2);
        }

        return data;
    }

    [Fact]
    public void Bert_gelu_matches_PyTorch() => MatchesPyTorch<BertGelu>("bert_gelu");

    [Fact]
    public void Bert_tanh_matches_PyTorch() => MatchesPyTorch<BertTanh>("bert_tanh");

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void Bert_gelu_every_path_gives_the_reference_bits(KernelPath path, int threads) => ReferenceBits<BertGelu>("bert_gelu", path, threads);

    [Theory]
    [MemberData(nameof(PathsAndThreads))]
    public void Bert_tanh_every_path_gives_the_reference_bits(KernelPath path, int threads) => ReferenceBits<BertTanh>("bert_tanh", path, threads);

    [Fact]
    public void Bert_gelu_sequences_give_the_same_bits_alone_and_in_any_padded_batch() => BatchComposition<BertGelu>("bert_gelu");

    [Fact]
    public void Bert_tanh_sequences_give_the_same_bits_alone_and_in_any_padded_batch() => BatchComposition<BertTanh>("bert_tanh");

    [Fact]
    public void The_spec_is_the_encoder_graph_with_Hugging_Face_names()
    {
        NetworkSpec spec = BertGelu.Spec;
        Assert.NotNull(spec.Encoder);
        Assert.Equal(2, spec.Encoder!.Layers);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], [.. System.Linq.Enumerable.Select(spec.Inputs, i => i.Name)]);
        Assert.Equal(["last_hidden_state", "pooler_output"], [.. System.Linq.Enumerable.Select(spec.Outputs, o => o.Name)]);

        // 6 dense layers per encoder layer plus the pooler's; every tensor the loader reads is in the file.
        Assert.Equal(13, spec.Layers.Count);
        EncoderModel model = EncoderModel.Load("bert_gelu");
        long parameters = 0;
        foreach (float[] t in model.Tensors.Values)
        {
            parameters += t.LongLength;
        }

        Assert.Equal(parameters, spec.ParameterCount);
        Assert.Equal(spec, NetworkSpec.FromJson(spec.ToJson(), "again").WithName(spec.Name));
        Assert.Single(BertTanh.Spec.Inputs, i => i.Name == "input_ids");
        Assert.DoesNotContain(BertTanh.Spec.Inputs, i => i.Name == "token_type_ids");
    }

    [Fact]
    public void A_call_touches_exactly_the_stated_activation_bytes_and_allocates_nothing()
    {
        EncoderModel model = EncoderModel.Load("bert_gelu");
        EncoderWeights<BertGelu> weights = EncoderWeights<BertGelu>.FromTensors(model.Tensors);
        using var session = new EncoderSession<BertGelu>(weights, maxBatch: 4, maxSequence: 16, KernelPath.Auto, threads: 1);
        var last = new float[model.LastHiddenState.Length];
        var pooled = new float[model.PoolerOutput!.Length];
        session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
        Assert.Equal(session.ActivationBytes(model.Batch, model.Sequence), session.LastCallActivationBytes);

        // The formula, written out: the buffers the plan assigns, B·S rows each, the real keys' positions, one head's
        // scratch ((head size + 8)·S', S' = S rounded up to 16: its keys transposed and a block of eight queries' scores,
        // rows padded to whole vectors; linear in S, no S² term).
        Assert.Equal(Formula(model.Batch, model.Sequence), session.LastCallActivationBytes);
        Assert.Equal(Formula(4, 16), session.ArenaBytes);
        Assert.Equal(Formula(4, 16), session.ActivationBytes(4, 16));

        SteadyState.AssertAllocatesNothing(() => session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled), callsPerWindow: 1);
    }

    [Fact]
    public void Bad_inputs_are_named_errors()
    {
        EncoderModel model = EncoderModel.Load("bert_gelu");
        EncoderWeights<BertGelu> weights = EncoderWeights<BertGelu>.FromTensors(model.Tensors);
        using var session = new EncoderSession<BertGelu>(weights, maxBatch: 3, maxSequence: 9);
        var last = new float[model.LastHiddenState.Length];
        var pooled = new float[model.PoolerOutput!.Length];

        int[] ids = (int[])model.Ids.Clone();
        ids[(1 * 9) + 2] = 100;
        ArgumentException e = Assert.Throws<ArgumentException>(() => session.Run(ids, model.Mask, model.Types, 3, 9, last, pooled));
        Assert.Contains("input_ids[1, 2] is 100", e.Message, StringComparison.Ordinal);
        Assert.Contains("0 to 99", e.Message, StringComparison.Ordinal);

        int[] types = (int[])model.Types!.Clone();
        types[0] = -1;
        e = Assert.Throws<ArgumentException>(() => session.Run(model.Ids, model.Mask, types, 3, 9, last, pooled));
        Assert.Contains("token_type_ids[0, 0] is -1", e.Message, StringComparison.Ordinal);

        int[] mask = (int[])model.Mask.Clone();
        mask[4] = 2;
        e = Assert.Throws<ArgumentException>(() => session.Run(model.Ids, mask, model.Types, 3, 9, last, pooled));
        Assert.Contains("attention_mask[0, 4] is 2", e.Message, StringComparison.Ordinal);

        mask = (int[])model.Mask.Clone();
        Array.Clear(mask, 9, 9);
        e = Assert.Throws<ArgumentException>(() => session.Run(model.Ids, mask, model.Types, 3, 9, last, pooled));
        Assert.Contains("Sequence 1 has no token", e.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => session.Run(model.Ids, model.Mask, model.Types, 4, 9, last, pooled));
        Assert.Throws<ArgumentException>(() => session.Run(model.Ids, model.Mask, model.Types, 3, 9, last.AsSpan(1), pooled));
        Assert.Throws<ArgumentException>(() => session.Run(model.Ids, model.Mask, default, 3, 9, last, pooled));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new EncoderSession<BertGelu>(weights, 1, 65));
        Assert.Contains("64 positions", e.Message, StringComparison.Ordinal);

        // A missing tensor names itself and the node.
        var tensors = new Dictionary<string, float[]>(model.Tensors);
        tensors.Remove("encoder.layer.1.output.LayerNorm.bias");
        WeightsMismatchException w = Assert.Throws<WeightsMismatchException>(() => EncoderWeights<BertGelu>.FromTensors(tensors));
        Assert.Contains("encoder.layer.1.output.LayerNorm.bias", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoder_specs_with_bad_sizes_are_rejected_with_every_problem()
    {
        NetworkSpecException e = Assert.Throws<NetworkSpecException>(() =>
            NetworkSpec.FromJson("""{ "name": "bad", "encoder": { "layers": 1, "hidden": 30, "heads": 4, "intermediate": 64, "vocabulary": 0, "positions": 8 } }"""));
        Assert.Contains(e.Problems, p => p.Message.Contains("\"vocabulary\" is 0", StringComparison.Ordinal));

        e = Assert.Throws<NetworkSpecException>(() =>
            NetworkSpec.FromJson("""{ "name": "bad", "encoder": { "layers": 1, "hidden": 30, "heads": 4, "intermediate": 64, "vocabulary": 10, "positions": 8 } }"""));
        Assert.Contains(e.Problems, p => p.Message.Contains("multiple of heads", StringComparison.Ordinal));

        e = Assert.Throws<NetworkSpecException>(() =>
            NetworkSpec.FromJson("""{ "name": "bad", "encoder": { "layers": 1, "hidden": 32, "heads": 4, "intermediate": 64, "vocabulary": 10, "positions": 8, "activation": "mish" } }"""));
        Assert.Contains(e.Problems, p => p.Message.Contains("unknown activation \"mish\"", StringComparison.Ordinal));

        e = Assert.Throws<NetworkSpecException>(() =>
            NetworkSpec.FromJson("""{ "name": "bad", "encoder": { "layer": 1, "hidden": 32, "heads": 4, "intermediate": 64, "vocabulary": 10, "positions": 8 } }"""));
        Assert.Contains(e.Problems, p => p.Message.Contains("unknown property \"layer\"", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Message.Contains("has no \"layers\"", StringComparison.Ordinal));
    }

    private static void MatchesPyTorch<TNetwork>(string name)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        EncoderModel model = EncoderModel.Load(name);
        EncoderWeights<TNetwork> weights = EncoderWeights<TNetwork>.FromSafetensors(EncoderModel.FilePath(name + ".safetensors"));
        using var session = new EncoderSession<TNetwork>(weights, model.Batch, model.Sequence);
        var last = new float[model.LastHiddenState.Length];
        float[] pooled = model.PoolerOutput is null ? [] : new float[model.PoolerOutput.Length];
        session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
        AssertClose(model.LastHiddenState, last, PyTorchTolerance, name + " last_hidden_state");
        if (model.PoolerOutput is not null)
        {
            AssertClose(model.PoolerOutput, pooled, PyTorchTolerance, name + " pooler_output");
        }
    }

    private static void ReferenceBits<TNetwork>(string name, KernelPath path, int threads)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        EncoderModel model = EncoderModel.Load(name);
        Dictionary<string, float[]> expected = ReferenceEncoder.Run(TNetwork.Spec, model.Tensors, model.Ids, model.Mask, model.Types, model.Batch, model.Sequence);
        EncoderWeights<TNetwork> weights = EncoderWeights<TNetwork>.FromTensors(model.Tensors);
        using var session = new EncoderSession<TNetwork>(weights, model.Batch + 2, model.Sequence + 3, path, threads);
        var last = new float[model.LastHiddenState.Length];
        float[] pooled = model.PoolerOutput is null ? [] : new float[model.PoolerOutput.Length];

        // Twice, so the second call runs on an arena the first left dirty.
        for (int round = 0; round < 2; round++)
        {
            session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled);
            AssertBits(expected["last_hidden_state"], last, $"{name} {path} threads {threads}");
            if (model.PoolerOutput is not null)
            {
                AssertBits(expected["pooler_output"], pooled, $"{name} {path} threads {threads} pooler");
            }
        }
    }

    private static void BatchComposition<TNetwork>(string name)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        EncoderModel model = EncoderModel.Load(name);
        int h = TNetwork.Spec.Encoder!.Hidden;
        EncoderWeights<TNetwork> weights = EncoderWeights<TNetwork>.FromTensors(model.Tensors);
        using var session = new EncoderSession<TNetwork>(weights, 4, model.Sequence + 7);
        var batched = new float[model.LastHiddenState.Length];
        float[] pooledBatch = model.PoolerOutput is null ? [] : new float[model.PoolerOutput.Length];
        session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, batched, pooledBatch);

        for (int b = 0; b < model.Batch; b++)
        {
            int length = model.Length(b);
            Assert.True(length > 0);

            // Alone, unpadded.
            int[] ids = model.Ids.AsSpan(b * model.Sequence, length).ToArray();
            int[] mask = model.Mask.AsSpan(b * model.Sequence, length).ToArray();
            int[]? types = model.Types?.AsSpan(b * model.Sequence, length).ToArray();
            var alone = new float[length * h];
            float[] pooledAlone = model.PoolerOutput is null ? [] : new float[h];
            session.Run(ids, mask, types, 1, length, alone, pooledAlone);
            AssertBits(batched.AsSpan(b * model.Sequence * h, length * h).ToArray(), alone, $"{name} sequence {b} alone");
            if (model.PoolerOutput is not null)
            {
                AssertBits(pooledBatch.AsSpan(b * h, h).ToArray(), pooledAlone, $"{name} sequence {b} pooled alone");
            }

            // Last in a batch of four, padded 7 tokens further, beside other sequences (reversed, with other ids).
            int s = model.Sequence + 7;
            var ids4 = new int[4 * s];
            var mask4 = new int[4 * s];
            int[]? types4 = model.Types is null ? null : new int[4 * s];
            for (int o = 0; o < 3; o++)
            {
                int src = (b + o + 1) % model.Batch;
                int len = Math.Min(s, model.Length(src) + o);
                for (int t = 0; t < len; t++)
                {
                    ids4[(o * s) + t] = model.Ids[(src * model.Sequence) + Math.Min(t, model.Sequence - 1)];
                    mask4[(o * s) + t] = 1;
                }
            }

            ids.CopyTo(ids4, 3 * s);
            mask.CopyTo(mask4, 3 * s);
            types?.CopyTo(types4!, 3 * s);
            var four = new float[4 * s * h];
            float[] pooledFour = model.PoolerOutput is null ? [] : new float[4 * h];
            session.Run(ids4, mask4, types4, 4, s, four, pooledFour);
            AssertBits(alone, four.AsSpan(3 * s * h, length * h).ToArray(), $"{name} sequence {b} in a padded batch of four");
            if (model.PoolerOutput is not null)
            {
                AssertBits(pooledAlone, pooledFour.AsSpan(3 * h, h).ToArray(), $"{name} sequence {b} pooled in a padded batch of four");
            }
        }
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worst))
            {
                worst = d;
                at = i;
            }
        }

        Assert.True(worst <= tolerance, $"{what}: the largest difference is {worst:G3} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}); the bound is {tolerance:G3}.");
    }

    internal static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the reference's is {expected[i]:R}.");
            }
        }
    }

    private static long RoundUp16(long floats) => (floats + 15) / 16 * 16;

    /// <summary>BertGelu's activation bytes for one thread, from its buffer plan.</summary>
    private static long Formula(int batch, int sequence)
    {
        BufferPlan plan = BufferPlan.For(BertGelu.Spec);
        long tokens = (long)batch * sequence;
        long floats = 0;
        foreach (int width in plan.BufferWidths)
        {
            floats += RoundUp16(width * tokens);
        }

        return (floats + RoundUp16(tokens + batch) + ((8 + 8) * RoundUp16(sequence))) * sizeof(float);
    }
}
