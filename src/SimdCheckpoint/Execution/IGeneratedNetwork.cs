using System;
using System.ComponentModel;

namespace SimdCheckpoint;

/// <summary>
/// What the source generator implements on a <see cref="NetworkAttribute"/> or <see cref="NetworkFileAttribute"/>
/// type: the network's spec and a kernel per dense layer on every path. Use the type through
/// <see cref="NetworkWeights{TNetwork}"/> and <see cref="InferenceSession{TNetwork}"/>, which walk its graph.
/// </summary>
/// <typeparam name="TSelf">The generated network type.</typeparam>
public interface IGeneratedNetwork<TSelf>
    where TSelf : IGeneratedNetwork<TSelf>
{
    /// <summary>The network as declared.</summary>
    static abstract NetworkSpec Spec { get; }

    /// <summary>
    /// The columns per packed panel (NR) the kernels were planned with; the weights' layout is
    /// <see cref="PackedNetworkLayout.For"/> of <see cref="Spec"/> and it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract int PanelWidth { get; }

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this machine.</summary>
    static abstract KernelPath AutoPath { get; }

    /// <summary>
    /// Runs dense layer <paramref name="layer"/> (an index into <see cref="NetworkSpec.Layers"/>) on
    /// <paramref name="rows"/> rows of <paramref name="x"/> (row stride <paramref name="ldx"/>) into
    /// <paramref name="y"/> (row stride <paramref name="ldy"/>), reading the layer's block of the packed weights,
    /// for the columns of panels [<paramref name="firstPanel"/>, <paramref name="firstPanel"/> + <paramref name="panelCount"/>)
    /// only (<see cref="PackedLayer.Panels"/> in all, the zero-padded tail counted as the last). Every output is one fma
    /// chain in k order whatever the range and whichever tile computes it, so threads that take disjoint ranges share a
    /// layer with the bits of one. A softmax layer normalises whole rows and takes only its whole range.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short or a stride too small; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer, or the range reaches outside its panels; nothing is written.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void RunLayer(
        KernelPath path,
        int layer,
        ReadOnlySpan<float> x,
        int ldx,
        ReadOnlySpan<float> packed,
        Span<float> y,
        int ldy,
        int rows,
        int firstPanel,
        int panelCount);
}

/// <summary>
/// A generated network that also has the backward pass's kernels (<c>Gradients = true</c> on its attribute), so a
/// <see cref="Checkpointing.CheckpointSession{TNetwork}"/> can differentiate it.
/// </summary>
/// <typeparam name="TSelf">The generated network type.</typeparam>
public interface IDifferentiableNetwork<TSelf> : IGeneratedNetwork<TSelf>
    where TSelf : IDifferentiableNetwork<TSelf>
{
    /// <summary>
    /// dX = dZ·Wᵀ for dense layer <paramref name="layer"/>: <paramref name="preActivationGradient"/> holds
    /// <c>rows · N</c> floats, <paramref name="inputGradient"/> receives <c>rows · K</c>; each dX[m,k] is an fma chain over
    /// n ascending from +0, on the generated kernel of shape N → K reading the layer's block of the transposed weights
    /// (<see cref="PackedNetworkLayout.ForTransposed"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void RunTransposed(KernelPath path, int layer, ReadOnlySpan<float> preActivationGradient, ReadOnlySpan<float> transposed, Span<float> inputGradient, int rows);

    /// <summary>
    /// z = b + x·W for dense layer <paramref name="layer"/>, without its activation, for a layer whose activation's
    /// derivative reads the pre-activation (GELU, tanh-GELU, SiLU, LeakyReLU with a slope ≤ 0): the same fma chains as
    /// the forward kernel, so the bits of the accumulator it activates.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer, or its derivative reads the output.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void RunPreActivation(KernelPath path, int layer, ReadOnlySpan<float> x, ReadOnlySpan<float> packed, Span<float> z, int rows);
}
