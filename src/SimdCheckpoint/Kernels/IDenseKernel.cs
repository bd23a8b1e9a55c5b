namespace SimdCheckpoint.Kernels;

/// <summary>
/// The compile-time constants of one dense kernel, as a generated network declares them: a struct per distinct layer
/// shape (K, N, activation), whose static members are literals the generator computed with the packed layout's one
/// formula (<see cref="PackedLayer"/>). The generated tiles and sweeps are generic over it, so the JIT (or NativeAOT)
/// compiles each layer's kernel with its K, N, offsets and activation as constants, while the source holds each tile
/// once. Offsets are relative to the layer's packed block. Not for direct use.
/// </summary>
public interface IDenseKernel
{
    /// <summary>K.</summary>
    static abstract int Inputs { get; }

    /// <summary>N.</summary>
    static abstract int Outputs { get; }

    /// <summary>The function applied to each output (softmax: over each finished row).</summary>
    static abstract Activation Activation { get; }

    /// <summary>LeakyReLU's negative slope (0 for any other activation).</summary>
    static abstract float Alpha { get; }

    /// <summary>Column panels, the zero-padded tail counted as the last (<see cref="PackedLayer.Panels"/>).</summary>
    static abstract int Panels { get; }

    /// <summary>Full panels (<see cref="PackedLayer.MainPanels"/>).</summary>
    static abstract int MainPanels { get; }

    /// <summary>Columns covered by full panels.</summary>
    static abstract int MainColumns { get; }

    /// <summary>Floats per main panel, K·NR.</summary>
    static abstract int PanelStride { get; }

    /// <summary>Columns of the tail that hold weights (0 without a tail).</summary>
    static abstract int TailColumns { get; }

    /// <summary>The tail panel's width, a multiple of 8 (0 without a tail).</summary>
    static abstract int TailWidth { get; }

    /// <summary>Where the tail panel starts.</summary>
    static abstract int TailOffset { get; }

    /// <summary>Where the bias starts.</summary>
    static abstract int BiasOffset { get; }

    /// <summary>Floats of the layer's packed block.</summary>
    static abstract int PackedLength { get; }

    /// <summary>
    /// Whether the network's packed weights exceed an L2 (the generator's threshold), so that its sweeps share each next
    /// panel group out to the full row blocks' tiles and the tiles prefetch it (<see cref="WeightPrefetch"/>). When
    /// false the tiles compile without any of that code.
    /// </summary>
    static abstract bool PrefetchesWeights { get; }
}
