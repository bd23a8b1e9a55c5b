using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Wide's three layers at batch 64, each alone through its generated kernel (Auto path), to see which of them keeps the
/// FMA units busy. Layer 0 has 1,024 inputs, layers 1 and 2 have 4,096: there the 64 rows of activations (1 MiB) and
/// the panels a tile sweeps no longer fit this core's L2 together.
/// </summary>
[MemoryDiagnoser]
public class WideBatch64Layers
{
    private const int Batch = 64;
    private readonly float[] _input = new float[Batch * 1024];
    private readonly float[] _hidden1 = new float[Batch * 4096];
    private readonly float[] _hidden2 = new float[Batch * 4096];
    private readonly float[] _output = new float[Batch * 1024];
    private InferenceSession<Wide> _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _session = new InferenceSession<Wide>(NetworkWeights<Wide>.FromLayers(RandomWeights.Create(Wide.Spec, seed: 42)), Batch);
        new DeterministicRandom(7).Fill(_input, 1f);
        float[] whole = new float[_output.Length];
        _session.Forward(_input, whole, Batch);
        Layer0();
        Layer1();
        Layer2();
        if (!whole.AsSpan().SequenceEqual(_output))
        {
            throw new InvalidOperationException("The three layers one by one do not give the session's output.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark(Description = "layer 0, 1024 -> 4096")]
    public void Layer0() => Layer<Wide>(0, _input, _hidden1);

    [Benchmark(Description = "layer 1, 4096 -> 4096")]
    public void Layer1() => Layer<Wide>(1, _hidden1, _hidden2);

    [Benchmark(Description = "layer 2, 4096 -> 1024")]
    public void Layer2() => Layer<Wide>(2, _hidden2, _output);

    private void Layer<TNetwork>(int layer, float[] input, float[] output)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        TNetwork.ForwardLayer(KernelPath.Auto, layer, _session.Weights.Packed, input, output, Batch);
}
