using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Where the last rows of a batch are computed, on wide's layers at batch 64: five 12-row Vector512 tiles and 4
/// remaining rows, when Vector512's tile had 12 rows (its 8-row tile divides 64, so on that path the split of 60 + 4
/// rows is now seven tiles and 4 remaining rows, and the generated kernel at 64 rows has none). The generated kernel
/// walks the panels in blocks and computes a block's remaining rows while its panels are still in cache; the order it
/// replaced swept all the panels for the full tiles, then all of them again for the remaining rows, which for a layer
/// whose weights exceed the caches read them all from memory twice.
/// <list type="bullet">
/// <item><see cref="Generated"/>: the generated kernel, 64 rows.</item>
/// <item><see cref="FirstSixtyRows"/>: the same kernel on the first 60 rows only, no remaining rows: the floor.</item>
/// <item><see cref="RemainderAfterAllPanels"/>: the order it replaced, the generated kernel on 60 rows and then on the
/// last 4.</item>
/// </list>
/// Every method runs the generated tiles, so each output is the same fma chain; set-up checks the replaced order against
/// the generated kernel bit for bit.
/// </summary>
[MemoryDiagnoser]
public class WideBatch64Schedules
{
    private const int Batch = 64;
    private const int FullRows = 60;
    private InferenceSession<Wide> _session = null!;
    private float[] _x = null!;
    private float[] _y = null!;
    private int _layer;
    private int _k;
    private int _n;

    [Params("0: 1024 -> 4096", "1: 4096 -> 4096", "2: 4096 -> 1024")]
    public string Layer { get; set; } = "1: 4096 -> 4096";

    [GlobalSetup]
    public void Setup()
    {
        _layer = Layer[0] - '0';
        NetworkSpec spec = Wide.Spec;
        _k = spec.Layers[_layer].Inputs;
        _n = spec.Layers[_layer].Outputs;
        _session = new InferenceSession<Wide>(NetworkWeights<Wide>.FromLayers(RandomWeights.Create(spec, seed: 42)), Batch);
        _x = new float[Batch * _k];
        _y = new float[Batch * _n];
        new DeterministicRandom(7).Fill(_x, 1f);
        Generated();
        float[] expected = (float[])_y.Clone();
        Array.Clear(_y);
        RemainderAfterAllPanels();
        if (!expected.AsSpan().SequenceEqual(_y))
        {
            throw new InvalidOperationException("The replaced order does not give the generated kernel's bits.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark(Baseline = true)]
    public void Generated() => Run<Wide>(_layer, _session.Weights.Packed, _x, _y, Batch);

    [Benchmark]
    public void FirstSixtyRows() => Run<Wide>(_layer, _session.Weights.Packed, _x, _y, FullRows);

    [Benchmark]
    public void RemainderAfterAllPanels()
    {
        Run<Wide>(_layer, _session.Weights.Packed, _x, _y, FullRows);
        Run<Wide>(_layer, _session.Weights.Packed, _x.AsSpan(FullRows * _k), _y.AsSpan(FullRows * _n), Batch - FullRows);
    }

    /// <summary>The layer's generated kernel over all its panels, as a session's forward pass calls it.</summary>
    private static void Run<T>(int layer, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, int batch)
        where T : IGeneratedNetwork<T>
    {
        DenseLayerSpec l = T.Spec.Layers[layer];
        PackedLayer block = LayoutOf<T>.Packed.Layers[layer];
        T.RunLayer(KernelPath.Auto, layer, x, l.Inputs, packed.Slice(block.WeightOffset, block.Length), y, l.Outputs, batch, 0, block.Panels);
    }

    private static class LayoutOf<T>
        where T : IGeneratedNetwork<T>
    {
        public static readonly PackedNetworkLayout Packed = PackedNetworkLayout.For(T.Spec, T.PanelWidth);
    }
}
