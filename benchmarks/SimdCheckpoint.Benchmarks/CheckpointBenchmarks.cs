using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using SimdCheckpoint.Checkpointing;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// The backward pass (dX, dW and db) of deep32 (32 layers of width 256) at batch 64 under each checkpoint schedule, and
/// the forward pass with the schedule's checkpoints against plain inference. The "vs store-all" column divides each
/// row's mean by the store-all row of the same method. Before timing, each schedule's gradients are checked bit for
/// bit against store-all's, and its measured figures against the plan's prediction.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class CheckpointBenchmarks
{
    public const int Batch = 64;

    private CheckpointSession<Deep32> _session = null!;
    private InferenceSession<Deep32> _inference = null!;
    private LayerGradients _gradients = null!;
    private float[] _input = null!;
    private float[] _inputGradient = null!;
    private float[] _output = null!;

    [Params("store-all", "sqrt", "uniform(4)", "revolve(2)", "revolve(4)", "revolve(8)", "budget(1/4)")]
    public string Schedule { get; set; } = "store-all";

    public static CheckpointSchedule Create(string name)
    {
        const int layers = 32;
        long[] sizes = [.. Enumerable.Range(0, layers + 1).Select(i => (long)Batch * (i == layers ? 10 : 256) * sizeof(float))];
        return name switch
        {
            "store-all" => CheckpointSchedule.StoreAll(layers),
            "sqrt" => CheckpointSchedule.Sqrt(layers),
            "uniform(4)" => CheckpointSchedule.Uniform(layers, 4),
            "revolve(2)" => CheckpointSchedule.Revolve(layers, 2),
            "revolve(4)" => CheckpointSchedule.Revolve(layers, 4),
            "revolve(8)" => CheckpointSchedule.Revolve(layers, 8),
            "budget(1/4)" => CheckpointSchedule.ForMemoryBudget(sizes, CheckpointSchedule.StoreAll(layers).PeakCheckpointBytes(sizes) / 4),
            _ => throw new ArgumentException("Unknown schedule " + name, nameof(name)),
        };
    }

    [GlobalSetup]
    public void Setup()
    {
        var weights = NetworkWeights<Deep32>.FromLayers(RandomWeights.Create(Deep32.Spec, seed: 42));
        _session = new CheckpointSession<Deep32>(weights, Batch, Create(Schedule));
        _inference = new InferenceSession<Deep32>(weights, Batch);
        _gradients = new LayerGradients(Deep32.Spec);
        _input = new float[Batch * 256];
        new DeterministicRandom(7).Fill(_input, 1f);
        _inputGradient = new float[_input.Length];
        _output = new float[Batch * 10];

        var reference = new CheckpointSession<Deep32>(weights, Batch, CheckpointSchedule.StoreAll(32));
        float[] expected = new float[_input.Length];
        reference.Backward(_input, expected, Batch);
        BackwardStatistics measured = _session.Backward(_input, _inputGradient, Batch);
        if (!expected.AsSpan().SequenceEqual(_inputGradient) || measured != _session.Predict(Batch))
        {
            throw new InvalidOperationException($"{Schedule}: the gradient differs from store-all's, or {measured} is not the prediction {_session.Predict(Batch)}.");
        }
    }

    [Benchmark]
    public BackwardStatistics Backward() => _session.Backward(_input, _inputGradient, Batch, default, _gradients);

    /// <summary>The input gradient alone (saliency, adversarial inputs): no dW or db.</summary>
    [Benchmark]
    public BackwardStatistics InputGradientOnly() => _session.Backward(_input, _inputGradient, Batch);

    [Benchmark]
    public int ForwardWithCheckpoints() => _session.ForwardWithCheckpoints(_input, _output, Batch);

    [Benchmark]
    public void PlainForward() => _inference.Forward(_input, _output, Batch);
}
