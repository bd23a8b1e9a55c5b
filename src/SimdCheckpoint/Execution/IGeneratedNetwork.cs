using System;
using System.ComponentModel;

namespace SimdCheckpoint;

/// <summary>
/// What the source generator implements on a <see cref="NetworkAttribute"/> or <see cref="NetworkFileAttribute"/>
/// type. Use the type through <see cref="NetworkWeights{TNetwork}"/> and <see cref="InferenceSession{TNetwork}"/>.
/// </summary>
/// <typeparam name="TSelf">The generated network type.</typeparam>
public interface IGeneratedNetwork<TSelf>
    where TSelf : IGeneratedNetwork<TSelf>
{
    /// <summary>The network as declared.</summary>
    static abstract NetworkSpec Spec { get; }

    /// <summary>Where each layer's weights live in the packed buffer, as the generator planned it.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract PackedNetworkLayout PackedLayout { get; }

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this machine.</summary>
    static abstract KernelPath AutoPath { get; }

    /// <summary>
    /// Runs <paramref name="batch"/> rows through every layer. <paramref name="bufferA"/> and <paramref name="bufferB"/>
    /// are the ping-pong activation buffers, each at least <c>batch · Spec.MaxHiddenSize</c> floats.
    /// Prefer <see cref="InferenceSession{TNetwork}.Forward(ReadOnlySpan{float}, Span{float}, int)"/>, which owns the buffers.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or the batch is negative; nothing is written.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void Forward(
        KernelPath path,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> input,
        Span<float> output,
        int batch,
        Span<float> bufferA,
        Span<float> bufferB);

    /// <summary>
    /// Runs one layer: <paramref name="input"/> holds <c>batch · K</c> floats of that layer, <paramref name="output"/>
    /// receives <c>batch · N</c>. The building block of layer-by-layer execution (verification, checkpointing).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or the batch is negative; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void ForwardLayer(
        KernelPath path,
        int layer,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> input,
        Span<float> output,
        int batch);

    /// <summary>
    /// Runs the columns of panels [<paramref name="firstPanel"/>, <paramref name="firstPanel"/> + <paramref name="panelCount"/>)
    /// of one layer, for all <paramref name="batch"/> rows: <paramref name="input"/> holds <c>batch · K</c> floats,
    /// <paramref name="output"/> is the layer's whole <c>batch · N</c> output, of which only those columns are written.
    /// The layer has <see cref="PackedLayer.Panels"/> panels (in <see cref="PackedLayout"/>), the zero-padded tail
    /// panel counted as the last. Every output is still one fma chain in k order on the same tiles, so the columns equal
    /// <see cref="ForwardLayer"/>'s bit for bit: threads that take disjoint ranges share a layer without a split
    /// reduction. A softmax layer normalises whole rows and takes only its whole range.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A span is too short, the batch is negative, or the layer is a softmax and the range is not all its panels; nothing is written.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer, or the range reaches outside its panels; nothing is written.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void ForwardLayerPanels(
        KernelPath path,
        int layer,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> input,
        Span<float> output,
        int batch,
        int firstPanel,
        int panelCount);

    /// <summary>
    /// Where each layer's transposed weights live in the buffer a <see cref="Checkpointing.CheckpointSession{TNetwork}"/>
    /// packs once: layer i's Wᵀ as a layer of N inputs and K outputs with a zero bias, in its dX kernel's layout.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract PackedNetworkLayout TransposedLayout { get; }

    /// <summary>
    /// dX = dZ·Wᵀ for one layer: <paramref name="preActivationGradient"/> holds <c>batch · N</c> floats,
    /// <paramref name="inputGradient"/> receives <c>batch · K</c>; each dX[m,k] is an fma chain over n ascending from +0,
    /// on the generated kernel of shape N → K.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or the batch is negative; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void BackwardInput(
        KernelPath path,
        int layer,
        ReadOnlySpan<float> transposedWeights,
        ReadOnlySpan<float> preActivationGradient,
        Span<float> inputGradient,
        int batch);

    /// <summary>
    /// For a layer whose activation's derivative reads the pre-activation (GELU, tanh-GELU, SiLU, LeakyReLU with a slope
    /// ≤ 0): <paramref name="gradient"/> holds dY (<c>batch · N</c> floats) and receives dZ = dY ⊙ act′(z), z = b + x·W
    /// recomputed in the generated kernel's registers from <paramref name="input"/> (<c>batch · K</c>); returns true.
    /// For any other layer it returns false and writes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or the batch is negative; nothing is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer.</exception>
    /// <exception cref="NotSupportedException">The network has no such path.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract bool ActivationGradient(
        KernelPath path,
        int layer,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> input,
        Span<float> gradient,
        int batch);
}
