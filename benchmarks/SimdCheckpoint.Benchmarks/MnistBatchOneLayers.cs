using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// Where a batch-1 call of mnist spends its time: the whole session call against each of its three layers alone
/// (<see cref="IGeneratedNetwork{TSelf}.ForwardLayer"/>, the generated kernel of that layer on the Auto path), on the
/// same packed weights and buffers as <see cref="MlpInference"/>. The difference between the call and the sum of the
/// layers is what the session adds around the kernels.
/// </summary>
[MemoryDiagnoser]
public class MnistBatchOneLayers
{
    private readonly float[] _input = new float[784];
    private readonly float[] _hidden1 = new float[256];
    private readonly float[] _hidden2 = new float[128];
    private readonly float[] _output = new float[10];
    private InferenceSession<Mnist> _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _session = new InferenceSession<Mnist>(NetworkWeights<Mnist>.FromLayers(RandomWeights.Create(Mnist.Spec, seed: 42)), 1);
        new DeterministicRandom(7).Fill(_input, 1f);
        float[] whole = new float[10];
        _session.Forward(_input, whole, 1);
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

    [Benchmark(Baseline = true, Description = "session call, 3 layers")]
    public void Forward() => _session.Forward(_input, _output, 1);

    [Benchmark(Description = "layer 0, 784 -> 256")]
    public void Layer0() => Layer<Mnist>(0, _input, _hidden1);

    [Benchmark(Description = "layer 1, 256 -> 128")]
    public void Layer1() => Layer<Mnist>(1, _hidden1, _hidden2);

    [Benchmark(Description = "layer 2, 128 -> 10")]
    public void Layer2() => Layer<Mnist>(2, _hidden2, _output);

    private void Layer<TNetwork>(int layer, float[] input, float[] output)
        where TNetwork : IGeneratedNetwork<TNetwork> =>
        TNetwork.ForwardLayer(KernelPath.Auto, layer, _session.Weights.Packed, input, output, 1);
}
