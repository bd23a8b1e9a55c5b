using System;

namespace SimdCheckpoint;

/// <summary>
/// What the runtime derives once per generated network from its spec and panel width, with the contract's own rules:
/// the packed layout (the formula the generator planned the kernels' constants with), the buffer plan of a forward
/// pass, and which dense layer each node runs.
/// </summary>
internal static class NetworkLayout<TNetwork>
    where TNetwork : IGeneratedNetwork<TNetwork>
{
    private static PackedNetworkLayout? _transposed;

    /// <summary>Where each dense layer's weights live in the packed buffer.</summary>
    public static PackedNetworkLayout Packed { get; } = PackedNetworkLayout.For(TNetwork.Spec, TNetwork.PanelWidth);

    /// <summary>Where each dense layer's Wᵀ lives in a checkpoint session's transposed buffer.</summary>
    public static PackedNetworkLayout Transposed => _transposed ??= PackedNetworkLayout.ForTransposed(TNetwork.Spec, TNetwork.PanelWidth);

    /// <summary>Which activation buffer each tensor of a forward pass lives in.</summary>
    public static BufferPlan Buffers { get; } = BufferPlan.For(TNetwork.Spec);

    /// <summary>Per node, the index of the dense layer it is (every node is a dense layer today).</summary>
    public static int[] NodeLayers { get; } = LayerIndices(TNetwork.Spec);

    /// <summary>
    /// The network's one input and one output, which <see cref="InferenceSession{TNetwork}"/> takes as spans; a graph of
    /// several is refused with a message that says so.
    /// </summary>
    /// <exception cref="NotSupportedException">The network has several inputs or outputs.</exception>
    public static void RequireSingleInputAndOutput()
    {
        NetworkSpec spec = TNetwork.Spec;
        if (spec.Inputs.Count != 1 || spec.Outputs.Count != 1)
        {
            throw new NotSupportedException(
                $"{spec.Name} has {spec.Inputs.Count} input(s) and {spec.Outputs.Count} output(s); sessions run networks of one input and one output.");
        }
    }

    private static int[] LayerIndices(NetworkSpec spec)
    {
        int[] layers = new int[spec.Nodes.Count];
        int dense = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = spec.Nodes[i] is DenseLayerSpec ? dense++ : -1;
        }

        return layers;
    }
}
