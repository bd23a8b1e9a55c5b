using System;
using SimdCheckpoint.Reference;
using SimdCheckpoint.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Tests.Kernels;

/// <summary>
/// Every generated kernel path against the scalar reference, bit for bit, XNNPACK style: K below, at and above the
/// unroll; N below, at and above the panel width and with every tail; batches that leave every row remainder.
/// </summary>
public sealed class KernelConformanceTests
{
    /// <summary>
    /// Every remainder of each path's row tile (Vector128: 3 rows, Vector256: 6, Vector512: 8, whose remainder of 7
    /// runs as 6 + 1), one tile, one over, two tiles and around them (12 and 24 for Vector256, 8 and 16 for Vector512),
    /// and large even and odd.
    /// </summary>
    private static readonly int[] Batches = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 23, 24, 25, 64, 67];

    private static readonly KernelPath[] VectorPaths = [KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string network in GeneratedKernels.ConformanceNetworks())
        {
            foreach (int batch in Batches)
            {
                data.Add(network, batch);
            }
        }

        return data;
    }

    public static TheoryData<string> Networks() => new(GeneratedKernels.ConformanceNetworks());

    [Fact]
    public void The_grid_covers_every_declared_shape()
    {
        Assert.Equal(56 + 3 + 16 + 3, GeneratedKernels.ConformanceNetworks().Length);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector256_path_matches_reference_bitwise(string network, int batch) =>
        GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(PathMatchesReference), network, batch, KernelPath.Vector256);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector512_path_matches_reference_bitwise(string network, int batch) =>
        GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(PathMatchesReference), network, batch, KernelPath.Vector512);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector128_path_matches_reference_bitwise(string network, int batch) =>
        GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(PathMatchesReference), network, batch, KernelPath.Vector128);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scalar_path_matches_reference_bitwise(string network, int batch) =>
        GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(PathMatchesReference), network, batch, KernelPath.Scalar);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Kernels_read_strided_rows_and_write_only_their_outputs(string network)
    {
        foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            foreach (int batch in new[] { 1, 5, 7, 13, 19 })
            {
                GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(StridedMatchesReference), network, batch, path);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Special_values_give_the_reference_bits_on_every_path(string network)
    {
        foreach (KernelPath path in new[] { KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            GeneratedKernels.Invoke(typeof(KernelConformanceTests), nameof(SpecialValuesMatchReference), network, 13, path);
        }
    }

    [Fact]
    public void A_kernel_with_zero_rows_writes_nothing()
    {
        foreach (KernelPath path in VectorPaths)
        {
            float[] y = [42f];
            GeneratedKernels.Layer<SimdCheckpoint.Tests.Networks.Conformance_K5_N17>(path)(ReadOnlySpan<float>.Empty, 5, new float[4096], y, 17, 0);
            Assert.Equal(42f, y[0]);
        }
    }

    private static void PathMatchesReference<TNetwork>(int batch, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: (ulong)TNetwork.Spec.InputSize * 31 + (ulong)TNetwork.Spec.OutputSize);
        float[] input = TestData.Random(batch * TNetwork.Spec.InputSize, seed: (ulong)batch + 7);
        Bits.Equal(harness.ReferenceForward(input, batch), harness.Forward(input, batch, path), $"{TNetwork.Spec.Name} batch {batch} {path}");
    }

    private static void SpecialValuesMatchReference<TNetwork>(int batch, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        var harness = new NetworkHarness<TNetwork>(seed: 99, specialWeights: true);
        float[] input = TestData.WithSpecialValues(batch * TNetwork.Spec.InputSize, seed: 5);
        Bits.Equal(harness.ReferenceForward(input, batch), harness.Forward(input, batch, path), $"{TNetwork.Spec.Name} special values {path}");
    }

    private static void StridedMatchesReference<TNetwork>(int batch, KernelPath path)
        where TNetwork : IGeneratedNetwork<TNetwork>
    {
        DenseLayerSpec layer = TNetwork.Spec.Layers[0];
        int k = layer.Inputs;
        int n = layer.Outputs;
        var harness = new NetworkHarness<TNetwork>(seed: 1234);
        KernelFunction kernel = GeneratedKernels.Layer<TNetwork>(path);

        // x: rows of K at stride K + 5, starting 3 floats into a larger buffer; y: rows of N at stride N + 3, 2 in.
        int ldx = k + 5;
        int ldy = n + 3;
        float[] xBuffer = TestData.Random(3 + (batch * ldx) + 4, seed: 77);
        float sentinel = BitConverter.Int32BitsToSingle(0x7FC0BEEF);
        float[] yBuffer = new float[2 + (batch * ldy) + 4];
        yBuffer.AsSpan().Fill(sentinel);

        kernel(xBuffer.AsSpan(3, ((batch - 1) * ldx) + k), ldx, harness.Weights.Packed, yBuffer.AsSpan(2, ((batch - 1) * ldy) + n), ldy, batch);

        float[] contiguous = new float[batch * k];
        for (int m = 0; m < batch; m++)
        {
            xBuffer.AsSpan(3 + (m * ldx), k).CopyTo(contiguous.AsSpan(m * k));
        }

        float[] expected = new float[batch * n];
        ReferenceDense.Forward(contiguous, k, harness.Layers[0].Weight, harness.Layers[0].Bias, expected, n, batch, k, n, layer.Activation, layer.Alpha);
        for (int i = 0; i < yBuffer.Length; i++)
        {
            int row = (i - 2) / ldy;
            int col = (i - 2) % ldy;
            bool inside = i >= 2 && row < batch && col < n;
            float want = inside ? expected[(row * n) + col] : sentinel;
            Assert.True(
                inside ? Bits.Same(want, yBuffer[i]) : BitConverter.SingleToInt32Bits(yBuffer[i]) == 0x7FC0BEEF,
                $"{TNetwork.Spec.Name} {path} batch {batch}: y[{i}] (row {row}, column {col}{(inside ? string.Empty : ", padding")}) is {Bits.Describe(yBuffer[i])}, expected {Bits.Describe(want)}.");
        }
    }
}
