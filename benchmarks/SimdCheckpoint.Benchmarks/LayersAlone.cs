using System;
using BenchmarkDotNet.Attributes;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// A model's layers each alone through its generated kernel (<see cref="InferenceSession{TNetwork}.ForwardLayer"/>, Auto
/// path), on the packed weights of a session, so their times can be set against the whole call. Set-up checks that the
/// layers one after another give the session's output bit for bit.
/// </summary>
[MemoryDiagnoser]
public abstract class LayersAlone<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private readonly int _batch;
    private readonly float[][] _activations;
    private InferenceSession<TNetwork> _session = null!;

    protected LayersAlone(int batch)
    {
        _batch = batch;
        NetworkSpec spec = TNetwork.Spec;
        _activations = new float[spec.Layers.Count + 1][];
        _activations[0] = new float[batch * spec.InputSize];
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            _activations[i + 1] = new float[batch * spec.Layers[i].Outputs];
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        NetworkSpec spec = TNetwork.Spec;
        _session = new InferenceSession<TNetwork>(NetworkWeights<TNetwork>.FromLayers(RandomWeights.Create(spec, seed: 42)), _batch);
        new DeterministicRandom(7).Fill(_activations[0], 1f);
        float[] whole = new float[_activations[^1].Length];
        _session.Forward(_activations[0], whole, _batch);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            Layer(i);
        }

        if (!whole.AsSpan().SequenceEqual(_activations[^1]))
        {
            throw new InvalidOperationException("The layers one by one do not give the session's output.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    /// <summary>The session's whole call, on the same input and weights.</summary>
    protected void WholeCall() => _session.Forward(_activations[0], _activations[^1], _batch);

    /// <summary>
    /// Layer <paramref name="layer"/> alone, from its input buffer into its output buffer, through the session's public
    /// per-layer call (its length checks cost nanoseconds against a layer's microseconds).
    /// </summary>
    protected void Layer(int layer) =>
        _session.ForwardLayer(layer, _activations[layer], _activations[layer + 1], _batch);
}

/// <summary>
/// Where a batch-1 call of mnist spends its time: the whole session call against each of its three layers alone. The
/// difference between the call and the sum of the layers is what a whole call adds around the kernels.
/// </summary>
public class MnistBatchOneLayers() : LayersAlone<Mnist>(batch: 1)
{
    [Benchmark(Baseline = true, Description = "session call, 3 layers")]
    public void Forward() => WholeCall();

    [Benchmark(Description = "layer 0, 784 -> 256")]
    public void Layer0() => Layer(0);

    [Benchmark(Description = "layer 1, 256 -> 128")]
    public void Layer1() => Layer(1);

    [Benchmark(Description = "layer 2, 128 -> 10")]
    public void Layer2() => Layer(2);
}

/// <summary>
/// Wide's three layers at batch 64, each alone, to see which of them keeps the FMA units busy. Layer 0 has 1,024
/// inputs, layers 1 and 2 have 4,096; layers 0 and 1 have 4,096 outputs, layer 2 has 1,024. Layer 1 alone holds 64 MiB
/// of the model's 100 MB of weights. <see cref="WideBatch64Schedules"/> takes the layers apart further.
/// </summary>
public class WideBatch64Layers() : LayersAlone<Wide>(batch: 64)
{
    [Benchmark(Description = "layer 0, 1024 -> 4096")]
    public void Layer0() => Layer(0);

    [Benchmark(Description = "layer 1, 4096 -> 4096")]
    public void Layer1() => Layer(1);

    [Benchmark(Description = "layer 2, 4096 -> 1024")]
    public void Layer2() => Layer(2);
}
