using System;
using System.ComponentModel;

namespace SimdCheckpoint;

/// <summary>
/// Argument checks that generated code runs before it touches memory through unchecked references, so a wrong
/// length is an <see cref="ArgumentException"/> and never an out-of-range read or write. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedCodeChecks
{
    /// <summary>Checks the arguments of a generated network's <c>Forward</c>.</summary>
    public static void CheckForward(
        NetworkSpec spec,
        int packedLength,
        ReadOnlySpan<float> packedWeights,
        ReadOnlySpan<float> input,
        ReadOnlySpan<float> output,
        int batch,
        ReadOnlySpan<float> bufferA,
        ReadOnlySpan<float> bufferB)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (packedWeights.Length < packedLength)
        {
            throw new ArgumentException($"The packed weights have {packedWeights.Length} floats; {spec.Name} needs {packedLength}.", nameof(packedWeights));
        }

        CheckLength(input.Length, (long)batch * spec.InputSize, "input", spec, batch, nameof(input));
        CheckLength(output.Length, (long)batch * spec.OutputSize, "output", spec, batch, nameof(output));
        long hidden = (long)batch * spec.MaxHiddenSize;
        if (bufferA.Length < hidden || bufferB.Length < hidden)
        {
            throw new ArgumentException($"Each activation buffer needs batch·{spec.MaxHiddenSize} = {hidden} floats; got {bufferA.Length} and {bufferB.Length}.", nameof(bufferA));
        }
    }

    /// <summary>Checks the arguments of a generated layer kernel: m rows, row strides, and every span's length.</summary>
    public static void CheckKernel(
        int inputs,
        int outputs,
        int packedLength,
        ReadOnlySpan<float> x,
        int ldx,
        ReadOnlySpan<float> packed,
        ReadOnlySpan<float> y,
        int ldy,
        int m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldx, inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldy, outputs);
        if (packed.Length < packedLength)
        {
            throw new ArgumentException($"The packed layer has {packed.Length} floats; the kernel needs {packedLength}.", nameof(packed));
        }

        if (m > 0)
        {
            long xNeeded = ((long)(m - 1) * ldx) + inputs;
            long yNeeded = ((long)(m - 1) * ldy) + outputs;
            if (x.Length < xNeeded)
            {
                throw new ArgumentException($"x has {x.Length} floats; {m} rows of {inputs} with stride {ldx} need {xNeeded}.", nameof(x));
            }

            if (y.Length < yNeeded)
            {
                throw new ArgumentException($"y has {y.Length} floats; {m} rows of {outputs} with stride {ldy} need {yNeeded}.", nameof(y));
            }
        }
    }

    /// <summary>Checks the arguments of a generated network's <c>ForwardLayer</c>.</summary>
    public static void CheckForwardLayer(NetworkSpec spec, int packedLength, int layer, ReadOnlySpan<float> packedWeights, ReadOnlySpan<float> input, ReadOnlySpan<float> output, int batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, spec.Layers.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (packedWeights.Length < packedLength)
        {
            throw new ArgumentException($"The packed weights have {packedWeights.Length} floats; {spec.Name} needs {packedLength}.", nameof(packedWeights));
        }

        DenseLayerSpec l = spec.Layers[layer];
        if (input.Length != (long)batch * l.Inputs)
        {
            throw new ArgumentException($"The input has {input.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Inputs} = {(long)batch * l.Inputs}.", nameof(input));
        }

        if (output.Length != (long)batch * l.Outputs)
        {
            throw new ArgumentException($"The output has {output.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Outputs} = {(long)batch * l.Outputs}.", nameof(output));
        }
    }

    /// <summary>
    /// Checks a range of column panels of a generated layer kernel: <paramref name="firstPanel"/> and
    /// <paramref name="panelCount"/> must lie within the kernel's <paramref name="panels"/> (an empty range is allowed).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches outside the layer's panels.</exception>
    public static void CheckPanels(int panels, int firstPanel, int panelCount)
    {
        if (firstPanel < 0 || panelCount < 0 || firstPanel > panels || panelCount > panels - firstPanel)
        {
            throw PanelsOutOfRange(panels, firstPanel, panelCount, "the kernel");
        }
    }

    /// <summary>
    /// Checks the panel range of a generated network's <c>ForwardLayerPanels</c>: within the layer's
    /// <see cref="PackedLayer.Panels"/>, and the whole range for a softmax layer, which normalises whole rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such layer, or the range reaches outside its panels.</exception>
    /// <exception cref="ArgumentException">The layer is a softmax layer and the range is not all of its panels.</exception>
    public static void CheckLayerPanels(NetworkSpec spec, PackedNetworkLayout layout, int layer, int firstPanel, int panelCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, spec.Layers.Count);
        int panels = layout.Layers[layer].Panels;
        if (firstPanel < 0 || panelCount < 0 || firstPanel > panels || panelCount > panels - firstPanel)
        {
            throw PanelsOutOfRange(panels, firstPanel, panelCount, $"layer {layer} ('{spec.Layers[layer].Name}') of {spec.Name}");
        }

        if (spec.Layers[layer].Activation == Activation.Softmax && (firstPanel != 0 || panelCount != panels))
        {
            throw new ArgumentException(
                $"Layer {layer} ('{spec.Layers[layer].Name}') of {spec.Name} is a softmax, which normalises whole rows: it takes only all of its panels (0, {panels}), not ({firstPanel}, {panelCount}). Split it by rows.",
                nameof(panelCount));
        }
    }

    /// <summary>Checks the arguments of a generated network's <c>BackwardInput</c>: dZ is batch·N, dX is batch·K.</summary>
    public static void CheckBackwardInput(
        NetworkSpec spec, int transposedLength, int layer, ReadOnlySpan<float> transposedWeights, ReadOnlySpan<float> preActivationGradient, ReadOnlySpan<float> inputGradient, int batch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, spec.Layers.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (transposedWeights.Length < transposedLength)
        {
            throw new ArgumentException($"The transposed weights have {transposedWeights.Length} floats; {spec.Name} needs {transposedLength}.", nameof(transposedWeights));
        }

        DenseLayerSpec l = spec.Layers[layer];
        if (preActivationGradient.Length != (long)batch * l.Outputs)
        {
            throw new ArgumentException($"The pre-activation gradient has {preActivationGradient.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Outputs} = {(long)batch * l.Outputs}.", nameof(preActivationGradient));
        }

        if (inputGradient.Length != (long)batch * l.Inputs)
        {
            throw new ArgumentException($"The input gradient has {inputGradient.Length} floats; layer {layer} ('{l.Name}') of {spec.Name} with batch {batch} needs exactly {batch}·{l.Inputs} = {(long)batch * l.Inputs}.", nameof(inputGradient));
        }
    }

    /// <summary>The error for a path a generated network does not have.</summary>
    public static NotSupportedException PathNotGenerated(KernelPath path, string network) =>
        new($"{network} has no {path} path.");

    private static ArgumentOutOfRangeException PanelsOutOfRange(int panels, int firstPanel, int panelCount, string owner) =>
        new(
            firstPanel < 0 || firstPanel > panels ? "firstPanel" : "panelCount",
            $"Panels [{firstPanel}, {(long)firstPanel + panelCount}) (firstPanel {firstPanel}, panelCount {panelCount}) are outside the {panels} panel(s) of {owner}: firstPanel must be in 0..{panels} and firstPanel + panelCount at most {panels}.");

    private static void CheckLength(int actual, long expected, string what, NetworkSpec spec, int batch, string paramName)
    {
        if (actual != expected)
        {
            int perRow = what == "input" ? spec.InputSize : spec.OutputSize;
            throw new ArgumentException($"The {what} has {actual} floats; {spec.Name} with batch {batch} needs exactly {batch}·{perRow} = {expected}.", paramName);
        }
    }
}
