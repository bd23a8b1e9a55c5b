using System;
using System.IO;
using SimdCheckpoint.Tests.Encoders;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Streaming;

/// <summary>
/// An encoder whose dense layers stream from a packed file (<see cref="EncoderSession{TNetwork}.Streaming"/>), its
/// embeddings and layer norms loaded without the dense layers, gives the in-memory session's bits at every budget (one
/// buffer, a few, all layers), path, batch and length, call after call, with layers arriving in many parts; reads every
/// dense byte once a call; allocates nothing; and refuses a small budget, another network's file, a damaged file and
/// weights without dense layers in memory with specific errors.
/// </summary>
public sealed class EncoderStreamingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<KernelPath> Paths() => new(KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Streamed_bert_gelu_gives_the_in_memory_bits_at_every_budget(KernelPath path) => MatchesInMemory<BertGelu>("bert_gelu", path);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Streamed_bert_tanh_gives_the_in_memory_bits_at_every_budget(KernelPath path) => MatchesInMemory<BertTanh>("bert_tanh", path);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Layers_arriving_in_chunks_of_one_panel_give_the_same_bits(int buffers)
    {
        (EncoderModel model, string packed, EncoderWeights<BertGelu> full, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        long budget = buffers * EncoderSession<BertGelu>.MinimumWeightBudget;
        using EncoderSession<BertGelu> streamed = EncoderSession<BertGelu>.StreamingInChunks(parameters, packed, budget, model.Batch, model.Sequence, KernelPath.Auto, chunkBytes: 1);
        using var inMemory = new EncoderSession<BertGelu>(full, model.Batch, model.Sequence);
        Assert.Equal(buffers, streamed.WeightBuffers);

        // Each call a different batch and length, so every layer's panels are split differently against the rows.
        for (int call = 0; call < 4; call++)
        {
            int batch = 1 + (call % model.Batch);
            int sequence = model.Sequence - call;
            (float[] expectedLast, float[] expectedPooled) = Run(inMemory, model, batch, sequence);
            (float[] last, float[] pooled) = Run(streamed, model, batch, sequence);
            Bits.Equal(expectedLast, last, $"last_hidden_state, {buffers} buffers, call {call}");
            Bits.Equal(expectedPooled, pooled, $"pooler_output, {buffers} buffers, call {call}");
        }
    }

    [Fact]
    public void Each_call_reads_every_dense_layer_once_unless_resident()
    {
        (EncoderModel model, string packed, _, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        long denseBytes = (long)NetworkLayout<BertGelu>.Packed.Length * sizeof(float);
        long slot = EncoderSession<BertGelu>.MinimumWeightBudget;
        using (EncoderSession<BertGelu> streamed = EncoderSession<BertGelu>.Streaming(parameters, packed, 2 * slot, model.Batch, model.Sequence))
        {
            Assert.True(streamed.StreamsWeights);
            for (int call = 0; call < 3; call++)
            {
                Run(streamed, model, model.Batch, model.Sequence);
            }

            // Three calls' worth, and the reader may be up to two blocks into the next call.
            Assert.InRange(streamed.WeightBytesRead, 3 * denseBytes, (3 * denseBytes) + (2 * slot));
        }

        using EncoderSession<BertGelu> resident = EncoderSession<BertGelu>.Streaming(parameters, packed, 1L << 40, model.Batch, model.Sequence);
        Assert.Equal(BertGelu.Spec.Layers.Count, resident.WeightBuffers);
        Run(resident, model, model.Batch, model.Sequence);
        Run(resident, model, model.Batch, model.Sequence);
        Assert.Equal(denseBytes, resident.WeightBytesRead);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_streamed_call_allocates_nothing(int buffers)
    {
        (EncoderModel model, string packed, _, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        using EncoderSession<BertGelu> session = EncoderSession<BertGelu>.Streaming(parameters, packed, buffers * EncoderSession<BertGelu>.MinimumWeightBudget, model.Batch, model.Sequence);
        var last = new float[model.LastHiddenState.Length];
        var pooled = new float[model.PoolerOutput!.Length];
        SteadyState.AssertAllocatesNothing(() => session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled), callsPerWindow: 20);
    }

    [Fact]
    public void A_budget_below_the_largest_dense_layer_is_refused_with_the_minimum()
    {
        (EncoderModel model, string packed, _, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        long minimum = EncoderSession<BertGelu>.MinimumWeightBudget;
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(
            () => EncoderSession<BertGelu>.Streaming(parameters, packed, minimum - 1, model.Batch, model.Sequence));
        Assert.Equal("weightBudget", e.ParamName);
        Assert.Contains($"the minimum budget is {minimum} bytes", e.Message, StringComparison.Ordinal);

        // What the in-memory session refuses is refused here too.
        e = Assert.Throws<ArgumentOutOfRangeException>(() => EncoderSession<BertGelu>.Streaming(parameters, packed, minimum, 1, BertGelu.Spec.Encoder!.Positions + 1));
        Assert.Equal("maxSequence", e.ParamName);
    }

    [Fact]
    public void Another_networks_packed_file_is_a_mismatch()
    {
        (_, string tanhPacked, _, _) = Prepare<BertTanh>("bert_tanh");
        (EncoderModel model, _, _, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        WeightsMismatchException e = Assert.Throws<WeightsMismatchException>(
            () => EncoderSession<BertGelu>.Streaming(parameters, tanhPacked, 1L << 30, model.Batch, model.Sequence));
        Assert.Contains(tanhPacked, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_without_dense_layers_cannot_run_in_memory()
    {
        EncoderWeights<BertGelu> parameters = EncoderWeights<BertGelu>.FromSafetensors(EncoderModel.FilePath("bert_gelu.safetensors"), includeDense: false);
        Assert.False(parameters.HasDense);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => new EncoderSession<BertGelu>(parameters, 1, 8));
        Assert.Contains("without their dense layers", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => parameters.Dense);

        // Only the embedding tables and layer norms are held.
        EncoderWeights<BertGelu> full = EncoderWeights<BertGelu>.FromSafetensors(EncoderModel.FilePath("bert_gelu.safetensors"));
        Assert.True(full.HasDense);
        Assert.Equal(full.Bytes - full.Dense.PackedBytes, parameters.Bytes);
    }

    [Fact]
    public void A_file_truncated_after_opening_fails_the_call_and_every_later_one()
    {
        (EncoderModel model, string packed, _, EncoderWeights<BertGelu> parameters) = Prepare<BertGelu>("bert_gelu");
        using EncoderSession<BertGelu> session = EncoderSession<BertGelu>.Streaming(parameters, packed, EncoderSession<BertGelu>.MinimumWeightBudget, model.Batch, model.Sequence);
        long cut;
        using (PackedWeightsFile file = PackedWeightsFile.Open(packed))
        {
            cut = file.Layers[7].Offset;
        }

        using (var handle = File.OpenHandle(packed, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            RandomAccess.SetLength(handle, cut);
        }

        var last = new float[model.LastHiddenState.Length];
        var pooled = new float[model.PoolerOutput!.Length];
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled));
        Assert.Contains("truncated after it was opened", e.Message, StringComparison.Ordinal);
        Assert.Throws<WeightsFormatException>(() => session.Run(model.Ids, model.Mask, model.Types, model.Batch, model.Sequence, last, pooled));
    }

    private static (float[] Last, float[] Pooled) Run<TNetwork>(EncoderSession<TNetwork> session, EncoderModel model, int batch, int sequence)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        // The model's first `batch` sequences cut to `sequence` tokens (each keeps at least its [CLS]).
        var ids = new int[batch * sequence];
        var mask = new int[batch * sequence];
        int[]? types = model.Types is null ? null : new int[batch * sequence];
        for (int b = 0; b < batch; b++)
        {
            model.Ids.AsSpan(b * model.Sequence, sequence).CopyTo(ids.AsSpan(b * sequence));
            model.Mask.AsSpan(b * model.Sequence, sequence).CopyTo(mask.AsSpan(b * sequence));
            model.Types?.AsSpan(b * model.Sequence, sequence).CopyTo(types!.AsSpan(b * sequence));
        }

        int hidden = TNetwork.Spec.Encoder!.Hidden;
        var last = new float[batch * sequence * hidden];
        float[] pooled = TNetwork.Spec.Encoder.Pooler ? new float[batch * hidden] : [];
        session.Run(ids, mask, types, batch, sequence, last, pooled);
        return (last, pooled);
    }

    private void MatchesInMemory<TNetwork>(string name, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        (EncoderModel model, string packed, EncoderWeights<TNetwork> full, EncoderWeights<TNetwork> parameters) = Prepare<TNetwork>(name);
        using var inMemory = new EncoderSession<TNetwork>(full, model.Batch, model.Sequence, path);
        (float[] expectedLast, float[] expectedPooled) = Run(inMemory, model, model.Batch, model.Sequence);
        long slot = EncoderSession<TNetwork>.MinimumWeightBudget;
        foreach (long budget in new[] { slot, (3 * slot) + 100, 1L << 40 })
        {
            using EncoderSession<TNetwork> streamed = EncoderSession<TNetwork>.Streaming(parameters, packed, budget, model.Batch, model.Sequence, path);
            for (int call = 0; call < 3; call++)
            {
                (float[] last, float[] pooled) = Run(streamed, model, model.Batch, model.Sequence);
                Bits.Equal(expectedLast, last, $"{name} last_hidden_state, {path}, budget {budget}, call {call}");
                Bits.Equal(expectedPooled, pooled, $"{name} pooler_output, {path}, budget {budget}, call {call}");
            }
        }
    }

    private (EncoderModel Model, string Packed, EncoderWeights<TNetwork> Full, EncoderWeights<TNetwork> Parameters) Prepare<TNetwork>(string name)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        EncoderModel model = EncoderModel.Load(name);
        string safetensors = EncoderModel.FilePath(name + ".safetensors");
        EncoderWeights<TNetwork> full = EncoderWeights<TNetwork>.FromSafetensors(safetensors);
        string packed = _folder.File(name + ".sckw");
        PackedWeightsFile.Write(full.Dense, packed);
        return (model, packed, full, EncoderWeights<TNetwork>.FromSafetensors(safetensors, includeDense: false));
    }
}
