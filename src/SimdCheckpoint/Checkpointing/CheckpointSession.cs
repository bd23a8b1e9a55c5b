using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Checkpointing;

/// <summary>
/// Runs the backward pass of a generated network by a <see cref="CheckpointSchedule"/>: the input gradient, and on
/// request every layer's dW and db, in the canonical arithmetic (docs/checkpointing.md), so every schedule, path and
/// batch gives the bits of <see cref="Reference.ReferenceNetwork.Backward"/>. Forward steps run the generated kernels;
/// the backward steps read a transposed packed copy of each layer's weights, made once when the session is created.
/// All memory is allocated up front: one arena holding two working buffers, two gradient buffers and the checkpoint
/// stack the schedule needs at <see cref="MaxBatch"/>. A call allocates nothing.
/// </summary>
/// <typeparam name="TNetwork">The generated network type.</typeparam>
public sealed class CheckpointSession<TNetwork>
    where TNetwork : IDifferentiableNetwork<TNetwork>
{
    private const int Align = 16;

    private readonly float[] _transposed;
    private readonly float[] _arena;
    private readonly int[] _slotOffset;
    private readonly int _workingFloats;
    private readonly int _gradientFloats;
    private readonly int _maxOutputWidth;
    private readonly int _maxWidth;
    private readonly int _inputFloats;
    private int _probeBatch;

    /// <summary>Prepares a session for batches of up to <paramref name="maxBatch"/> rows.</summary>
    /// <exception cref="ArgumentException">The schedule is for another number of layers.</exception>
    /// <exception cref="NotSupportedException">The network is not a chain of layers.</exception>
    public CheckpointSession(NetworkWeights<TNetwork> weights, int maxBatch, CheckpointSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        NetworkSpec spec = TNetwork.Spec;
        if (!spec.IsChain)
        {
            throw new NotSupportedException($"{spec.Name} is not a chain of layers; checkpoint schedules run on chains.");
        }

        if (schedule.Layers != spec.Layers.Count)
        {
            throw new ArgumentException($"The schedule '{schedule.Name}' is for {schedule.Layers} layers; {spec.Name} has {spec.Layers.Count}.", nameof(schedule));
        }

        Weights = weights;
        MaxBatch = maxBatch;
        Schedule = schedule;
        int layers = spec.Layers.Count;
        _maxOutputWidth = 1;
        _maxWidth = spec.InputSize;
        foreach (DenseLayerSpec layer in spec.Layers)
        {
            _maxOutputWidth = Math.Max(_maxOutputWidth, layer.Outputs);
            _maxWidth = Math.Max(_maxWidth, layer.Outputs);
        }

        _workingFloats = RoundUp((long)maxBatch * _maxOutputWidth);
        _gradientFloats = RoundUp((long)maxBatch * _maxWidth);
        long stackFloats = schedule.PeakCheckpointBytes(StateBytes(maxBatch)) / sizeof(float);
        _inputFloats = RoundUp((long)maxBatch * spec.InputSize);
        _arena = new float[checked((2 * _workingFloats) + (2 * _gradientFloats) + _inputFloats + (int)stackFloats)];
        _slotOffset = new int[layers + 1];
        _transposed = Transpose(weights.Packed, NetworkLayout<TNetwork>.Packed, NetworkLayout<TNetwork>.Transposed);
    }

    /// <summary>The packed weights the session runs.</summary>
    public NetworkWeights<TNetwork> Weights { get; }

    /// <summary>The largest batch a call may pass.</summary>
    public int MaxBatch { get; }

    /// <summary>The schedule every call follows.</summary>
    public CheckpointSchedule Schedule { get; }

    /// <summary>The bytes the session holds for activations, gradients and checkpoints at <see cref="MaxBatch"/>.</summary>
    public long ArenaBytes => (long)_arena.Length * sizeof(float);

    /// <summary>
    /// What a call at <paramref name="batch"/> rows will measure, from the schedule alone: activation bytes (two working
    /// buffers plus the checkpoint stack's high-water mark), advances, reverse-step forwards and layers reversed.
    /// </summary>
    public BackwardStatistics Predict(int batch)
    {
        CheckBatch(batch);
        long[] stateBytes = StateBytes(batch);
        NetworkSpec spec = TNetwork.Spec;
        // A layer whose derivative needs the pre-activation recomputes it in its reverse step even when state i + 1 is checkpointed.
        int reverseForwards = Schedule.CountReverseForwards(i => !ReadsOutput(spec.Layers[i]));
        return new BackwardStatistics(
            WorkingBytes(batch) + Schedule.PeakCheckpointBytes(stateBytes), Schedule.Advances, reverseForwards, spec.Layers.Count);
    }

    /// <summary>
    /// The backward pass for <paramref name="batch"/> rows of <paramref name="input"/>: writes the gradient of
    /// Σ outputs·<paramref name="outputGradient"/> (all ones when empty: the gradient of the sum of the outputs) with
    /// respect to the input into <paramref name="inputGradient"/>, and each layer's dW and db into
    /// <paramref name="gradients"/> when given. Returns what it measured.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the batch, or the batch exceeds <see cref="MaxBatch"/>.</exception>
    public BackwardStatistics Backward(
        ReadOnlySpan<float> input, Span<float> inputGradient, int batch, ReadOnlySpan<float> outputGradient = default, LayerGradients? gradients = null, KernelPath path = KernelPath.Auto)
    {
        NetworkSpec spec = TNetwork.Spec;
        CheckBatch(batch);
        if (input.Length != batch * spec.InputSize || inputGradient.Length != batch * spec.InputSize)
        {
            throw new ArgumentException($"The input and its gradient must hold batch × {spec.InputSize} = {batch * spec.InputSize} floats; they hold {input.Length} and {inputGradient.Length}.");
        }

        if (!outputGradient.IsEmpty && outputGradient.Length != batch * spec.OutputSize)
        {
            throw new ArgumentException($"The output gradient must hold batch × {spec.OutputSize} = {batch * spec.OutputSize} floats; it holds {outputGradient.Length}.", nameof(outputGradient));
        }

        if (gradients is not null && gradients.Spec != spec)
        {
            throw new ArgumentException($"The gradients were made for {gradients.Spec.Name}, not {spec.Name}.", nameof(gradients));
        }

        return Dispatch(input, inputGradient, batch, outputGradient, gradients, visitor: null, path);
    }

    /// <summary>
    /// Visits the output of every layer, from the last to the first, by the schedule: each reverse step hands its
    /// layer's output to <paramref name="visitor"/>, read from a checkpoint or recomputed from the nearest one, with the
    /// schedule's memory. No gradient is computed. Figures as <see cref="Predict"/> would give them for a network whose
    /// derivatives all read the output: <see cref="CheckpointSchedule.Advances"/> and <see cref="CheckpointSchedule.ReverseForwards"/>.
    /// </summary>
    public BackwardStatistics VisitActivationsInReverse(ReadOnlySpan<float> input, int batch, ActivationVisitor visitor, KernelPath path = KernelPath.Auto)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        CheckBatch(batch);
        if (input.Length != batch * TNetwork.Spec.InputSize)
        {
            throw new ArgumentException($"The input must hold batch × {TNetwork.Spec.InputSize} = {batch * TNetwork.Spec.InputSize} floats; it holds {input.Length}.", nameof(input));
        }

        return Dispatch(input, Span<float>.Empty, batch, default, null, visitor, path);
    }

    /// <summary>
    /// The forward pass into <paramref name="output"/>, keeping a copy of the input and the checkpoints the schedule
    /// stores in its first sweep, so <see cref="GetActivation"/> can then recompute any layer's output from the nearest
    /// one. Returns the layer evaluations it ran (L).
    /// </summary>
    public int ForwardWithCheckpoints(ReadOnlySpan<float> input, Span<float> output, int batch, KernelPath path = KernelPath.Auto)
    {
        NetworkSpec spec = TNetwork.Spec;
        CheckBatch(batch);
        if (input.Length != batch * spec.InputSize || output.Length != batch * spec.OutputSize)
        {
            throw new ArgumentException($"The input must hold batch × {spec.InputSize} and the output batch × {spec.OutputSize} floats; they hold {input.Length} and {output.Length}.");
        }

        KernelPath resolved = path == KernelPath.Auto ? TNetwork.AutoPath : path;
        Span<float> arena = _arena;
        Span<float> a = arena.Slice(0, _workingFloats);
        Span<float> b = arena.Slice(_workingFloats, _workingFloats);
        Span<float> saved = arena.Slice(InputBase, batch * spec.InputSize);
        input.CopyTo(saved);
        Array.Fill(_slotOffset, -1);
        int stackTop = StackBase;
        int current = 0;
        bool inA = false;
        int evaluations = 0;
        foreach (CheckpointAction action in Schedule.Actions)
        {
            if (action.Kind == CheckpointActionKind.Reverse || action.Kind == CheckpointActionKind.Restore || action.Kind == CheckpointActionKind.Free)
            {
                break;
            }

            if (action.Kind == CheckpointActionKind.Store)
            {
                _slotOffset[action.State] = stackTop;
                (inA ? a : b).Slice(0, batch * Width(current)).CopyTo(arena.Slice(stackTop));
                stackTop += RoundUp((long)batch * Width(current));
                continue;
            }

            AdvanceInto(resolved, current, current == 0 ? saved : (inA ? a : b), inA ? b : a, batch);
            (current, inA) = (current + 1, !inA);
            evaluations++;
        }

        for (; current < spec.Layers.Count; current++, evaluations++)
        {
            Span<float> next = current == spec.Layers.Count - 1 ? output : (inA ? b : a);
            AdvanceInto(resolved, current, current == 0 ? saved : (inA ? a : b), next, batch);
            inA = !inA;
        }

        _probeBatch = batch;
        return evaluations;
    }

    /// <summary>
    /// The output of layer <paramref name="layer"/> for the input of the last <see cref="ForwardWithCheckpoints"/>,
    /// recomputed from the nearest checkpoint at or before it. Returns the layer evaluations that took (0 when that
    /// output is itself checkpointed).
    /// </summary>
    /// <exception cref="InvalidOperationException">No checkpointed forward has run, or a backward pass or visit has reused its checkpoints since.</exception>
    public int GetActivation(int layer, Span<float> destination, KernelPath path = KernelPath.Auto)
    {
        NetworkSpec spec = TNetwork.Spec;
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, spec.Layers.Count);
        if (_probeBatch == 0)
        {
            throw new InvalidOperationException("Run ForwardWithCheckpoints first: the probes recompute from its checkpoints (a backward pass or a visit reuses that memory).");
        }

        int batch = _probeBatch;
        if (destination.Length != batch * spec.Layers[layer].Outputs)
        {
            throw new ArgumentException($"Layer {layer}'s output holds batch × {spec.Layers[layer].Outputs} = {batch * spec.Layers[layer].Outputs} floats; the destination holds {destination.Length}.", nameof(destination));
        }

        Span<float> arena = _arena;
        int start = layer + 1;
        while (start > 0 && _slotOffset[start] < 0)
        {
            start--;
        }

        ReadOnlySpan<float> state = start == 0 ? arena.Slice(InputBase, batch * spec.InputSize) : arena.Slice(_slotOffset[start], batch * Width(start));
        if (start == layer + 1)
        {
            state.CopyTo(destination);
            return 0;
        }

        KernelPath resolved = path == KernelPath.Auto ? TNetwork.AutoPath : path;
        Span<float> a = arena.Slice(0, _workingFloats);
        Span<float> b = arena.Slice(_workingFloats, _workingFloats);
        bool inA = false;
        for (int i = start; i <= layer; i++)
        {
            Span<float> next = i == layer ? destination : (inA ? b : a);
            AdvanceInto(resolved, i, i == start ? state : (inA ? a : b), next, batch);
            inA = !inA;
        }

        return layer + 1 - start;
    }

    private int InputBase => (2 * _workingFloats) + (2 * _gradientFloats);

    private int StackBase => InputBase + _inputFloats;

    private void AdvanceInto(KernelPath path, int layer, ReadOnlySpan<float> from, Span<float> to, int batch) =>
        ForwardLayer(path, layer, from.Slice(0, batch * Width(layer)), to.Slice(0, batch * TNetwork.Spec.Layers[layer].Outputs), batch);

    private void ForwardLayer(KernelPath path, int layer, ReadOnlySpan<float> x, Span<float> y, int batch) =>
        GraphExecutor<TNetwork>.ForwardLayer(path, layer, Weights.Packed, x, y, batch);

    private BackwardStatistics Dispatch(
        ReadOnlySpan<float> input, Span<float> inputGradient, int batch, ReadOnlySpan<float> outputGradient, LayerGradients? gradients, ActivationVisitor? visitor, KernelPath path)
    {
        _probeBatch = 0;
        KernelPath resolved = path == KernelPath.Auto ? TNetwork.AutoPath : path;
        return Elementwise.Resolve(resolved) switch
        {
            KernelPath.Vector512 => Run<Vector512Ops, Vector512<float>>(input, inputGradient, batch, outputGradient, gradients, visitor, resolved),
            KernelPath.Vector256 => Run<Vector256Ops, Vector256<float>>(input, inputGradient, batch, outputGradient, gradients, visitor, resolved),
            KernelPath.Vector128 => Run<Vector128Ops, Vector128<float>>(input, inputGradient, batch, outputGradient, gradients, visitor, resolved),
            _ => Run<ScalarOps, float>(input, inputGradient, batch, outputGradient, gradients, visitor, resolved),
        };
    }

    private static bool ReadsOutput(DenseLayerSpec layer) => !ActivationInfo.ReadsPreActivation(layer.Activation, layer.Alpha);

    private static int RoundUp(long floats) => checked((int)((floats + Align - 1) / Align * Align));

    private static long[] StateBytes(int batch)
    {
        NetworkSpec spec = TNetwork.Spec;
        long[] bytes = new long[spec.Layers.Count + 1];
        bytes[0] = (long)RoundUp((long)batch * spec.InputSize) * sizeof(float);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            bytes[i + 1] = (long)RoundUp((long)batch * spec.Layers[i].Outputs) * sizeof(float);
        }

        return bytes;
    }

    private long WorkingBytes(int batch) => 2L * RoundUp((long)batch * _maxOutputWidth) * sizeof(float);

    private void CheckBatch(int batch)
    {
        if (batch < 1 || batch > MaxBatch)
        {
            throw new ArgumentException($"The batch must be between 1 and the session's MaxBatch, {MaxBatch}; it is {batch}.", nameof(batch));
        }
    }

    private BackwardStatistics Run<TOps, T>(
        ReadOnlySpan<float> input, Span<float> inputGradient, int batch, ReadOnlySpan<float> outputGradient, LayerGradients? gradients, ActivationVisitor? visitor, KernelPath path)
        where TOps : IFloatOps<T>
        where T : unmanaged
    {
        NetworkSpec spec = TNetwork.Spec;
        ReadOnlySpan<float> packed = Weights.Packed;
        Span<float> arena = _arena;
        int working = RoundUp((long)batch * _maxOutputWidth);
        Span<float> a = arena.Slice(0, working);
        Span<float> b = arena.Slice(_workingFloats, working);
        Span<float> g0 = arena.Slice(2 * _workingFloats, _gradientFloats);
        Span<float> g1 = arena.Slice((2 * _workingFloats) + _gradientFloats, _gradientFloats);
        int stackBase = StackBase;
        int stackTop = stackBase;
        int stackPeak = stackBase;
        Array.Fill(_slotOffset, -1);

        // Where the current state lives: 0 the caller's input, 1 buffer a, 2 buffer b, 3 a checkpoint slot.
        int current = 0, where = 0, slot = 0;
        int advances = 0, reverseForwards = 0, reversed = 0;
        bool gradientInG0 = true;
        foreach (CheckpointAction action in Schedule.Actions)
        {
            int i = action.State;
            ReadOnlySpan<float> state = where switch
            {
                0 => input,
                1 => a,
                2 => b,
                _ => arena.Slice(slot, RoundUp((long)batch * Width(current))),
            };
            state = state.Slice(0, batch * Width(current));
            switch (action.Kind)
            {
                case CheckpointActionKind.Advance:
                    {
                        Span<float> next = where == 1 ? b : a;
                        ForwardLayer(path, i, state, next.Slice(0, batch * spec.Layers[i].Outputs), batch);
                        (current, where) = (i + 1, where == 1 ? 2 : 1);
                        advances++;
                        break;
                    }

                case CheckpointActionKind.Store:
                    _slotOffset[i] = stackTop;
                    state.CopyTo(arena.Slice(stackTop));
                    stackTop += RoundUp((long)batch * Width(i));
                    stackPeak = Math.Max(stackPeak, stackTop);
                    break;
                case CheckpointActionKind.Restore:
                    (current, where, slot) = i == 0 ? (0, 0, 0) : (i, 3, _slotOffset[i]);
                    break;
                case CheckpointActionKind.Free:
                    stackTop = _slotOffset[i];
                    _slotOffset[i] = -1;
                    break;
                default:
                    {
                        DenseLayerSpec layer = spec.Layers[i];
                        int n = layer.Outputs;
                        Span<float> scratch = (where == 1 ? b : a).Slice(0, batch * n);
                        if (visitor is not null)
                        {
                            if (_slotOffset[i + 1] >= 0)
                            {
                                visitor(i, arena.Slice(_slotOffset[i + 1], batch * n));
                            }
                            else
                            {
                                ForwardLayer(path, i, state, scratch, batch);
                                reverseForwards++;
                                visitor(i, scratch);
                            }

                            reversed++;
                            break;
                        }

                        Span<float> gradient = (gradientInG0 ? g0 : g1).Slice(0, batch * n);
                        if (i == spec.Layers.Count - 1)
                        {
                            if (outputGradient.IsEmpty)
                            {
                                gradient.Fill(1f);
                            }
                            else
                            {
                                outputGradient.CopyTo(gradient);
                            }
                        }

                        if (!ReadsOutput(layer))
                        {
                            // z = b + x·W again, by the generated identity kernel of the layer's shape (the accumulator its
                            // forward kernel activates, bit for bit), then dZ = dY ⊙ act′(z).
                            PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[i];
                            TNetwork.RunPreActivation(path, i, state, packed.Slice(block.WeightOffset, block.Length), scratch, batch);
                            reverseForwards++;
                            BackwardKernels.ActivationBackward<TOps, T>(layer.Activation, layer.Alpha, scratch, gradient, n, batch, path);
                        }
                        else
                        {
                            ReadOnlySpan<float> output;
                            if (_slotOffset[i + 1] >= 0)
                            {
                                output = arena.Slice(_slotOffset[i + 1], batch * n);
                            }
                            else
                            {
                                ForwardLayer(path, i, state, scratch, batch);
                                output = scratch;
                                reverseForwards++;
                            }

                            BackwardKernels.ActivationBackward<TOps, T>(layer.Activation, layer.Alpha, output, gradient, n, batch, path);
                        }

                        if (gradients is not null)
                        {
                            BackwardKernels.WeightGradient<TOps, T>(state, layer.Inputs, gradient, n, batch, gradients.Weight(i));
                            BackwardKernels.BiasGradient<TOps, T>(gradient, n, batch, gradients.Bias(i));
                        }

                        Span<float> dx = i == 0 ? inputGradient : (gradientInG0 ? g1 : g0).Slice(0, batch * layer.Inputs);
                        PackedLayer transposed = NetworkLayout<TNetwork>.Transposed.Layers[i];
                        TNetwork.RunTransposed(path, i, gradient, _transposed.AsSpan(transposed.WeightOffset, transposed.Length), dx, batch);
                        gradientInG0 = !gradientInG0;
                        reversed++;
                        break;
                    }
            }
        }

        long peak = ((long)(stackPeak - stackBase) * sizeof(float)) + (2L * working * sizeof(float));
        return new BackwardStatistics(peak, advances, reverseForwards, reversed);
    }

    private static int Width(int state) => state == 0 ? TNetwork.Spec.InputSize : TNetwork.Spec.Layers[state - 1].Outputs;

    /// <summary>Each layer's Wᵀ packed, with a zero bias, where <paramref name="transposedLayout"/> puts it.</summary>
    private static float[] Transpose(ReadOnlySpan<float> packed, PackedNetworkLayout layout, PackedNetworkLayout transposedLayout)
    {
        float[] result = new float[transposedLayout.Length];
        for (int l = 0; l < layout.Layers.Count; l++)
        {
            PackedLayer forward = layout.Layers[l];
            float[] transposed = new float[forward.Inputs * forward.Outputs];
            WeightPacker.UnpackTransposed(forward, packed, transposed);

            // Row-major [N, K]: the layout of a layer with N inputs and K outputs.
            WeightPacker.Pack(transposedLayout.Layers[l], transposed, new float[forward.Inputs], WeightLayout.InputsByOutputs, result);
        }

        return result;
    }
}

/// <summary>Receives one layer's output during <see cref="CheckpointSession{TNetwork}.VisitActivationsInReverse"/>; the span is valid during the call only.</summary>
/// <param name="layer">The layer whose output this is.</param>
/// <param name="activation">Its output, batch × outputs floats, row-major.</param>
public delegate void ActivationVisitor(int layer, ReadOnlySpan<float> activation);

/// <summary>What a backward pass measured (or, from <see cref="CheckpointSession{TNetwork}.Predict"/>, what its schedule predicts).</summary>
/// <param name="PeakActivationBytes">Two working buffers plus the checkpoint stack's high-water mark.</param>
/// <param name="Advances">Layer evaluations by advance steps.</param>
/// <param name="ReverseForwards">Layer evaluations inside reverse steps (a state or pre-activation recomputed).</param>
/// <param name="LayersReversed">Backward layer evaluations.</param>
public readonly record struct BackwardStatistics(long PeakActivationBytes, int Advances, int ReverseForwards, int LayersReversed)
{
    /// <summary>All forward layer evaluations.</summary>
    public int ForwardEvaluations => Advances + ReverseForwards;
}
