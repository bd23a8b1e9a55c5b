using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using SimdCheckpoint.Reference;

namespace SimdCheckpoint.Benchmarks;

/// <summary>One model, with every contestant set up over the same seeded weights and inputs.</summary>
public interface IMlpRunner
{
    NetworkSpec Spec { get; }

    void Generated(int batch, KernelPath path);

    /// <summary>The generated kernels on two threads (the caller and one helper), shared as <see cref="ThreadSplit.Auto"/> chooses.</summary>
    void GeneratedTwoThreads(int batch);

    /// <summary>The generated kernels on two threads with the given split forced for every call.</summary>
    void GeneratedTwoThreads(int batch, ThreadSplit split);

    void Reference(int batch);

    void TensorPrimitivesForward(int batch);

    /// <summary>Checks that the generated kernels give the reference's bits (and reports how the TensorPrimitives baseline compares).</summary>
    string Verify(int batch);

    /// <summary>The seeded weights every contestant runs.</summary>
    IReadOnlyList<DenseLayerWeights> Layers { get; }

    /// <summary>The seeded inputs, <see cref="MlpRunner{TNetwork}.MaxBatch"/> rows.</summary>
    float[] Input { get; }

    /// <summary>The output rows of the last call.</summary>
    float[] Output { get; }
}

/// <summary>Sets up <typeparamref name="TNetwork"/> for benchmarking; all buffers allocated once.</summary>
public sealed class MlpRunner<TNetwork> : IMlpRunner
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    public const int MaxBatch = 64;

    private readonly IReadOnlyList<DenseLayerWeights> _layers;
    private readonly InferenceSession<TNetwork> _session;
    private readonly InferenceSession<TNetwork> _twoThreads;
    private readonly InferenceSession<TNetwork> _twoThreadsRows;
    private readonly InferenceSession<TNetwork> _twoThreadsPanels;
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly float[] _a;
    private readonly float[] _b;

    public MlpRunner()
    {
        NetworkSpec spec = TNetwork.Spec;
        _layers = RandomWeights.Create(spec, seed: 42);
        _session = new InferenceSession<TNetwork>(NetworkWeights<TNetwork>.FromLayers(_layers), MaxBatch);
        _twoThreads = new InferenceSession<TNetwork>(_session.Weights, MaxBatch, threads: 2);
        _twoThreadsRows = new InferenceSession<TNetwork>(_session.Weights, MaxBatch, threads: 2, ThreadSplit.Rows);
        _twoThreadsPanels = new InferenceSession<TNetwork>(_session.Weights, MaxBatch, threads: 2, ThreadSplit.Panels);
        _input = new float[MaxBatch * spec.InputSize];
        new DeterministicRandom(7).Fill(_input, 1f);
        _output = new float[MaxBatch * spec.OutputSize];
        int widest = 0;
        foreach (DenseLayerSpec l in spec.Layers)
        {
            widest = Math.Max(widest, l.Outputs);
        }

        _a = new float[MaxBatch * widest];
        _b = new float[MaxBatch * widest];
    }

    public NetworkSpec Spec => TNetwork.Spec;

    public IReadOnlyList<DenseLayerWeights> Layers => _layers;

    public float[] Input => _input;

    public float[] Output => _output;

    public void Generated(int batch, KernelPath path) =>
        _session.Forward(_input.AsSpan(0, batch * Spec.InputSize), _output.AsSpan(0, batch * Spec.OutputSize), batch, path);

    public void GeneratedTwoThreads(int batch) =>
        _twoThreads.Forward(_input.AsSpan(0, batch * Spec.InputSize), _output.AsSpan(0, batch * Spec.OutputSize), batch);

    public void GeneratedTwoThreads(int batch, ThreadSplit split) =>
        (split switch { ThreadSplit.Rows => _twoThreadsRows, ThreadSplit.Panels => _twoThreadsPanels, _ => _twoThreads })
            .Forward(_input.AsSpan(0, batch * Spec.InputSize), _output.AsSpan(0, batch * Spec.OutputSize), batch);

    /// <summary>The scalar reference, layer by layer into preallocated buffers (so it allocates nothing either).</summary>
    public void Reference(int batch)
    {
        ReadOnlySpan<float> x = _input.AsSpan(0, batch * Spec.InputSize);
        for (int i = 0; i < _layers.Count; i++)
        {
            DenseLayerSpec l = Spec.Layers[i];
            Span<float> y = i == _layers.Count - 1 ? _output.AsSpan(0, batch * l.Outputs) : (i % 2 == 0 ? _a : _b).AsSpan(0, batch * l.Outputs);
            ReferenceDense.Forward(x, l.Inputs, _layers[i].Weight, _layers[i].Bias, y, l.Outputs, batch, l.Inputs, l.Outputs, l.Activation, l.Alpha);
            x = y;
        }
    }

    /// <summary>
    /// What a developer writes by hand with TensorPrimitives: per row, start from the bias and add x[m,k]·W[k,:] for
    /// each k (one FusedMultiplyAdd over the N outputs), then clamp. Same canonical sum order, so same bits.
    /// </summary>
    public void TensorPrimitivesForward(int batch)
    {
        ReadOnlySpan<float> x = _input.AsSpan(0, batch * Spec.InputSize);
        for (int i = 0; i < _layers.Count; i++)
        {
            DenseLayerSpec l = Spec.Layers[i];
            Span<float> y = i == _layers.Count - 1 ? _output.AsSpan(0, batch * l.Outputs) : (i % 2 == 0 ? _a : _b).AsSpan(0, batch * l.Outputs);
            float[] w = _layers[i].Weight;
            for (int m = 0; m < batch; m++)
            {
                Span<float> row = y.Slice(m * l.Outputs, l.Outputs);
                _layers[i].Bias.CopyTo(row);
                ReadOnlySpan<float> xm = x.Slice(m * l.Inputs, l.Inputs);
                for (int k = 0; k < l.Inputs; k++)
                {
                    TensorPrimitives.FusedMultiplyAdd(w.AsSpan(k * l.Outputs, l.Outputs), xm[k], row, row);
                }

                if (l.Activation == Activation.Relu)
                {
                    TensorPrimitives.Max(row, 0f, row);
                }
            }

            x = y;
        }
    }

    public string Verify(int batch)
    {
        Reference(batch);
        float[] expected = _output.AsSpan(0, batch * Spec.OutputSize).ToArray();
        foreach (KernelPath path in new[] { KernelPath.Auto, KernelPath.Vector512, KernelPath.Vector256, KernelPath.Vector128, KernelPath.Scalar })
        {
            _output.AsSpan().Clear();
            Generated(batch, path);
            if (!_output.AsSpan(0, expected.Length).SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{Spec.Name}: the {path} path does not match the reference bit for bit; refusing to benchmark it.");
            }
        }

        foreach (ThreadSplit split in new[] { ThreadSplit.Auto, ThreadSplit.Rows, ThreadSplit.Panels })
        {
            _output.AsSpan().Clear();
            GeneratedTwoThreads(batch, split);
            if (!_output.AsSpan(0, expected.Length).SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{Spec.Name}: two threads split by {split} do not give one thread's bits; refusing to benchmark them.");
            }
        }

        _output.AsSpan().Clear();
        TensorPrimitivesForward(batch);
        return _output.AsSpan(0, expected.Length).SequenceEqual(expected) ? "TensorPrimitives baseline: identical bits" : "TensorPrimitives baseline: different bits";
    }
}
