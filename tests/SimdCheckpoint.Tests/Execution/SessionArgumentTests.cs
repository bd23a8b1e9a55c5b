using System;
using SimdCheckpoint.Tests.Networks;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Execution;

/// <summary>Wrong buffers and batch sizes are clear ArgumentExceptions, and nothing is written.</summary>
public sealed class SessionArgumentTests
{
    private static readonly NetworkHarness<MnistMlp> Harness = new(seed: 5);

    [Theory]
    [InlineData(3, 3 * 784 - 1, 30, "input")]
    [InlineData(3, 3 * 784 + 1, 30, "input")]
    [InlineData(3, 3 * 784, 29, "output")]
    [InlineData(3, 3 * 784, 31, "output")]
    [InlineData(0, 0, 0, "batch")]
    [InlineData(-1, 784, 10, "batch")]
    [InlineData(9, 9 * 784, 90, "batch")]
    public void Wrong_lengths_or_batch_throw_and_write_nothing(int batch, int inputLength, int outputLength, string parameter)
    {
        var session = new InferenceSession<MnistMlp>(Harness.Weights, maxBatch: 8);
        float[] input = new float[inputLength];
        float[] output = new float[outputLength];
        output.AsSpan().Fill(-7f);
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => session.Forward(input, output, batch));
        Assert.Equal(parameter, e.ParamName);
        Assert.All(output, v => Assert.Equal(-7f, v));
    }

    [Fact]
    public void The_message_names_the_network_and_the_sizes()
    {
        var session = new InferenceSession<MnistMlp>(Harness.Weights, maxBatch: 4);
        ArgumentException e = Assert.Throws<ArgumentException>(() => session.Forward(new float[783], new float[10], 1));
        Assert.Contains("MnistMlp", e.Message, StringComparison.Ordinal);
        Assert.Contains("784", e.Message, StringComparison.Ordinal);
        Assert.Contains("783", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_input_and_output_are_rejected()
    {
        var single = new NetworkHarness<SingleLayer>(seed: 1);
        var session = new InferenceSession<SingleLayer>(single.Weights, maxBatch: 2);
        float[] buffer = new float[40];
        Assert.Throws<ArgumentException>(() => session.Forward(buffer.AsSpan(0, 20), buffer.AsSpan(10, 7), 1));
    }

    [Fact]
    public void A_session_needs_a_positive_maximum_batch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession<MnistMlp>(Harness.Weights, 0));
    }

    [Fact]
    public void Generated_layer_dispatch_checks_its_arguments_before_writing()
    {
        // RunLayer is what a session calls per layer: a packed block one float short, a layer the network does not
        // have and a path it does not have are each refused before anything is written.
        float[] output = new float[256];
        output.AsSpan().Fill(3f);
        float[] packed = Harness.Weights.Packed.ToArray();
        PackedLayer first = GeneratedKernels.Packed<MnistMlp>().Layers[0];
        Assert.Throws<ArgumentException>(() => RunLayer<MnistMlp>(KernelPath.Auto, 0, new float[784], 784, packed.AsSpan(0, first.Length - 1), output, 256, 1, 0, first.Panels));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLayer<MnistMlp>(KernelPath.Auto, 3, new float[784], 784, packed, output, 256, 1, 0, first.Panels));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLayer<MnistMlp>(KernelPath.Auto, -1, new float[784], 784, packed, output, 256, 1, 0, first.Panels));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLayer<MnistMlp>(KernelPath.Auto, 0, new float[784], 784, packed, output, 256, 1, 1, first.Panels));
        Assert.Throws<NotSupportedException>(() => RunLayer<MnistMlp>((KernelPath)99, 0, new float[784], 784, packed, output, 256, 1, 0, first.Panels));
        Assert.All(output, v => Assert.Equal(3f, v));
    }

    [Fact]
    public void Generated_kernels_reject_short_spans_and_bad_strides()
    {
        KernelFunction run = GeneratedKernels.Layer<Conformance_K9_N17>(KernelPath.Vector256);
        float[] packed = new NetworkHarness<Conformance_K9_N17>(seed: 1).Weights.Packed.ToArray();
        Assert.Throws<ArgumentException>(() => run(new float[9 * 3 - 1], 9, packed, new float[17 * 3], 17, 3));
        Assert.Throws<ArgumentException>(() => run(new float[9 * 3], 9, packed, new float[17 * 3 - 1], 17, 3));
        Assert.Throws<ArgumentException>(() => run(new float[9 * 3], 9, packed.AsSpan(1), new float[17 * 3], 17, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => run(new float[9 * 3], 8, packed, new float[17 * 3], 17, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => run(new float[9 * 3], 9, packed, new float[17 * 3], 16, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => run(new float[9 * 3], 9, packed, new float[17 * 3], 17, -1));
    }

    private static void RunLayer<TNetwork>(
        KernelPath path, int layer, ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, Span<float> y, int ldy, int rows, int firstPanel, int panelCount)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        TNetwork.RunLayer(path, layer, x, ldx, packed, y, ldy, rows, firstPanel, panelCount);
}
