using System;

namespace SimdCheckpoint;

/// <summary>
/// Runs a generated network's graph node by node: each node's kernel reads its input tensors where the buffer plan
/// puts them (the caller's input, an activation buffer of the arena) and writes its output there (an activation
/// buffer, or the caller's output). For a chain this is the two ping-pong buffers; the kernels, the order and so the
/// bits are those of the generated layer calls in sequence.
/// </summary>
internal static class GraphExecutor<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    /// <summary>Floats of arena a forward pass of <paramref name="rows"/> rows needs.</summary>
    public static long ArenaFloats(int rows) => (long)rows * NetworkLayout<TNetwork>.Buffers.FloatsPerRow;

    /// <summary>
    /// The forward pass of <paramref name="rows"/> rows: <paramref name="input"/> holds <c>rows · InputSize</c> floats,
    /// <paramref name="output"/> receives <c>rows · OutputSize</c>, <paramref name="arena"/> holds at least
    /// <see cref="ArenaFloats"/> floats. The caller has checked the spans.
    /// </summary>
    public static void Forward(KernelPath path, ReadOnlySpan<float> packed, ReadOnlySpan<float> input, Span<float> output, int rows, Span<float> arena)
    {
        BufferPlan plan = NetworkLayout<TNetwork>.Buffers;
        int[] layers = NetworkLayout<TNetwork>.NodeLayers;
        for (int node = 0; node < layers.Length; node++)
        {
            ReadOnlySpan<float> x = Read(plan.Read(node, 0), input, output, arena, rows);
            Span<float> y = Write(plan.Write(node), output, arena, rows);
            ForwardLayer(path, layers[node], packed, x, y, rows);
        }
    }

    /// <summary>Dense layer <paramref name="layer"/> alone on all its panels: <paramref name="x"/> is <c>rows · K</c> floats, <paramref name="y"/> receives <c>rows · N</c>.</summary>
    public static void ForwardLayer(KernelPath path, int layer, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        DenseLayerSpec l = TNetwork.Spec.Layers[layer];
        PackedLayer block = NetworkLayout<TNetwork>.Packed.Layers[layer];
        TNetwork.RunLayer(path, layer, x, l.Inputs, packed.Slice(block.WeightOffset, block.Length), y, l.Outputs, rows, 0, block.Panels);
    }

    /// <summary>Where a tensor of <paramref name="rows"/> rows is read from.</summary>
    public static ReadOnlySpan<float> Read(TensorLocation at, ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> arena, int rows) =>
        at.Home switch
        {
            TensorHome.Input => input[..(rows * at.Width)],
            TensorHome.Output => output[..(rows * at.Width)],
            _ => arena.Slice((int)NetworkLayout<TNetwork>.Buffers.BufferOffset(at.Index, rows), rows * at.Width),
        };

    /// <summary>Where a tensor of <paramref name="rows"/> rows is written to.</summary>
    public static Span<float> Write(TensorLocation at, Span<float> output, Span<float> arena, int rows) =>
        at.Home == TensorHome.Output
            ? output[..(rows * at.Width)]
            : arena.Slice((int)NetworkLayout<TNetwork>.Buffers.BufferOffset(at.Index, rows), rows * at.Width);
}
