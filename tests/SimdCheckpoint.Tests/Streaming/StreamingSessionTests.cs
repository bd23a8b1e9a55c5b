using System;
using System.IO;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Streaming;

/// <summary>
/// A session that streams its weights from a packed file gives the in-memory session's bits at every budget (one buffer,
/// a few, all layers), batch and path, call after call, without allocating; a budget below one layer is refused with the
/// minimum.
/// </summary>
public sealed class StreamingSessionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Streamed_deep32_matches_the_in_memory_session_bitwise_at_every_budget(int batch) => MatchesInMemory<Deep32>(batch, KernelPath.Auto);

    [Theory]
    [InlineData(KernelPath.Auto)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Scalar)]
    public void Streamed_networks_match_the_in_memory_session_bitwise_on_every_path(KernelPath path)
    {
        MatchesInMemory<MnistMlp>(5, path);
        MatchesInMemory<Uneven>(3, path);
        MatchesInMemory<Transcendental>(9, path);
        MatchesInMemory<Narrow13>(2, path);
    }

    [Fact]
    public void Streamed_weights_give_the_bits_of_a_two_thread_in_memory_session()
    {
        var harness = new NetworkHarness<Deep32>(seed: 8);
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.Write(harness.Weights, path);
        float[] input = TestData.Random(64 * Deep32.Spec.InputSize, seed: 4);
        float[] expected = new float[64 * Deep32.Spec.OutputSize], actual = new float[expected.Length];
        using (var threaded = new InferenceSession<Deep32>(harness.Weights, 64, threads: 2))
        {
            threaded.Forward(input, expected, 64);
        }

        using var streamed = new StreamingSession<Deep32>(path, 3 * StreamingSession<Deep32>.SlotBytes, 64);
        streamed.Forward(input, actual, 64);
        Bits.Equal(expected, actual, "two threads in memory against streamed");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Layers_computed_panel_range_by_panel_range_as_they_arrive_give_the_same_bits(int buffers)
    {
        // Chunks of one panel: every layer is computed in as many parts as it has panels, while the reader reads on.
        ChunkedMatches<Deep32>(buffers, batch: 1);
        ChunkedMatches<MnistMlp>(buffers, batch: 5);
        ChunkedMatches<Transcendental>(buffers, batch: 3);
        ChunkedMatches<Uneven>(buffers, batch: 64);
    }

    [Fact]
    public void The_ring_is_sized_from_the_budget()
    {
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.WriteRandom<Deep32>(seed: 1, path);
        long slot = StreamingSession<Deep32>.SlotBytes;
        Assert.Equal(0, slot % PackedWeightsFile.BlockAlignment);
        Assert.Equal(slot, StreamingSession<Deep32>.MinimumWeightBudget);
        using (var one = new StreamingSession<Deep32>(path, slot, 1))
        {
            Assert.Equal(1, one.Buffers);
            Assert.False(one.Resident);
            Assert.True(one.ResidentWeightBytes <= one.WeightBudget);
        }

        using (var some = new StreamingSession<Deep32>(path, (5 * slot) - 1, 1))
        {
            Assert.Equal(4, some.Buffers);
            Assert.Equal(4 * slot, some.ResidentWeightBytes);
        }

        using var all = new StreamingSession<Deep32>(path, 1L << 40, 1);
        Assert.True(all.Resident);
        Assert.Equal(32, all.Buffers);
        Assert.Equal(StreamingSession<Deep32>.PackedBytes, all.ResidentWeightBytes);
    }

    [Fact]
    public void Each_call_reads_every_layer_once_unless_resident()
    {
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.WriteRandom<Deep32>(seed: 1, path);
        float[] input = TestData.Random(Deep32.Spec.InputSize, seed: 4);
        float[] output = new float[Deep32.Spec.OutputSize];
        using var streamed = new StreamingSession<Deep32>(path, 2 * StreamingSession<Deep32>.SlotBytes, 1);
        for (int call = 0; call < 3; call++)
        {
            streamed.Forward(input, output, 1);
        }

        // Three calls' worth, and the reader may be up to two blocks into the next call.
        long packed = StreamingSession<Deep32>.PackedBytes;
        Assert.InRange(streamed.BytesRead, 3 * packed, (3 * packed) + (2 * StreamingSession<Deep32>.SlotBytes));

        using var resident = new StreamingSession<Deep32>(path, 1L << 40, 1);
        resident.Forward(input, output, 1);
        resident.Forward(input, output, 1);
        Assert.Equal(packed, resident.BytesRead);
    }

    [Fact]
    public void A_budget_below_the_largest_layer_is_refused_with_the_minimum()
    {
        string path = _folder.File("mnist.sckw");
        PackedWeightsFile.WriteRandom<MnistMlp>(seed: 1, path);
        long minimum = StreamingSession<MnistMlp>.MinimumWeightBudget;
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingSession<MnistMlp>(path, minimum - 1, 1));
        Assert.Contains($"the minimum budget is {minimum} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("layer 0 ('fc1')", e.Message, StringComparison.Ordinal);
        Assert.Equal("weightBudget", e.ParamName);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_anything_is_read()
    {
        string path = _folder.File("mnist.sckw");
        PackedWeightsFile.WriteRandom<MnistMlp>(seed: 1, path);
        using var session = new StreamingSession<MnistMlp>(path, StreamingSession<MnistMlp>.MinimumWeightBudget, 4);
        float[] input = new float[4 * 784], output = new float[4 * 10];
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(input, output, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Forward(input, output, 0));
        Assert.Throws<ArgumentException>(() => session.Forward(input.AsSpan(1), output, 4));
        Assert.Throws<ArgumentException>(() => session.Forward(input, output.AsSpan(1), 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingSession<MnistMlp>(path, 1L << 30, 0));
        Assert.Throws<FileNotFoundException>(() => new StreamingSession<MnistMlp>(_folder.File("missing.sckw"), 1L << 30, 1));

        // Still in step after the refusals.
        session.Forward(input, output, 4);
        float[] expected = new float[4 * 10];
        using var inMemory = new InferenceSession<MnistMlp>(NetworkWeights<MnistMlp>.FromPacked(path), 4);
        inMemory.Forward(input, expected, 4);
        Bits.Equal(expected, output, "after refused calls");
    }

    [Fact]
    public void A_file_truncated_after_opening_fails_the_call_with_a_weights_error()
    {
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.WriteRandom<Deep32>(seed: 1, path);
        using var session = new StreamingSession<Deep32>(path, 2 * StreamingSession<Deep32>.SlotBytes, 1);
        long cut;
        using (PackedWeightsFile file = PackedWeightsFile.Open(path))
        {
            cut = file.Layers[20].Offset;
        }

        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            RandomAccess.SetLength(handle, cut);
        }

        float[] input = new float[256], output = new float[10];
        WeightsFormatException e = Assert.Throws<WeightsFormatException>(() => session.Forward(input, output, 1));
        Assert.Contains("truncated after it was opened", e.Message, StringComparison.Ordinal);
        Assert.Throws<WeightsFormatException>(() => session.Forward(input, output, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Forward_allocates_nothing(int buffers)
    {
        string path = _folder.File("deep32.sckw");
        PackedWeightsFile.WriteRandom<Deep32>(seed: 1, path);
        using var session = new StreamingSession<Deep32>(path, buffers * StreamingSession<Deep32>.SlotBytes, 8);
        float[] input = TestData.Random(8 * 256, seed: 2);
        float[] output = new float[8 * 10];
        SteadyState.AssertAllocatesNothing(() => session.Forward(input, output, 8), callsPerWindow: 20);
    }

    private void ChunkedMatches<TNetwork>(int buffers, int batch)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 12);
        string file = _folder.File(TNetwork.Spec.Name + "-chunked.sckw");
        PackedWeightsFile.Write(harness.Weights, file);
        float[] input = TestData.Random(batch * TNetwork.Spec.InputSize, seed: 13);
        float[] expected = harness.Forward(input, batch, KernelPath.Auto);
        using var session = new StreamingSession<TNetwork>(file, buffers * StreamingSession<TNetwork>.SlotBytes, 64, verifyChecksums: true, chunkBytes: 1);
        float[] actual = new float[batch * TNetwork.Spec.OutputSize];
        for (int call = 0; call < 3; call++)
        {
            actual.AsSpan().Clear();
            session.Forward(input, actual, batch);
            Bits.Equal(expected, actual, $"{TNetwork.Spec.Name}, {buffers} buffers, chunks of one panel, call {call}");
        }
    }

    private void MatchesInMemory<TNetwork>(int batch, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 6, specialWeights: typeof(TNetwork) == typeof(Narrow13));
        string file = _folder.File(TNetwork.Spec.Name + ".sckw");
        PackedWeightsFile.Write(harness.Weights, file);
        float[] input = TestData.WithSpecialValues(batch * TNetwork.Spec.InputSize, seed: 11);
        float[] expected = harness.Forward(input, batch, path);
        long slot = StreamingSession<TNetwork>.SlotBytes;
        int layers = TNetwork.Spec.Layers.Count;
        foreach (long budget in new[] { slot, 2 * slot, (3 * slot) + 100, layers * slot })
        {
            using var session = new StreamingSession<TNetwork>(file, budget, 64);
            float[] actual = new float[batch * TNetwork.Spec.OutputSize];
            for (int call = 0; call < 3; call++)
            {
                // Several calls: the ring is at another position for each when the buffers do not divide the layers.
                actual.AsSpan().Clear();
                session.Forward(input, actual, batch, path);
                Bits.Equal(expected, actual, $"{TNetwork.Spec.Name}, budget {budget} ({session.Buffers} buffers), batch {batch}, {path}, call {call}");
            }
        }
    }
}
