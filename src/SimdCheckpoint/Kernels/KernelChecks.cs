using System;
using System.ComponentModel;

namespace SimdCheckpoint.Kernels;

/// <summary>
/// Argument checks that generated kernels run before they touch memory through unchecked references, so a wrong
/// length is an <see cref="ArgumentException"/> and never an out-of-range read or write. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class KernelChecks
{
    /// <summary>
    /// Checks one call of a dense kernel: <paramref name="m"/> rows of <paramref name="x"/> (row stride
    /// <paramref name="ldx"/>) into <paramref name="y"/> (row stride <paramref name="ldy"/>), the columns of panels
    /// [<paramref name="firstPanel"/>, <paramref name="firstPanel"/> + <paramref name="panelCount"/>) only, reading the
    /// layer's packed block <paramref name="packed"/>. A softmax kernel normalises whole rows, so it takes only all its panels.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count or stride is out of range, or the panels reach outside the layer's.</exception>
    /// <exception cref="ArgumentException">A span is too short, or a softmax kernel is given part of its panels.</exception>
    public static void CheckKernel<TKernel>(ReadOnlySpan<float> x, int ldx, ReadOnlySpan<float> packed, ReadOnlySpan<float> y, int ldy, int m, int firstPanel, int panelCount)
        where TKernel : struct, IDenseKernel
    {
        int inputs = TKernel.Inputs;
        int outputs = TKernel.Outputs;
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldx, inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(ldy, outputs);
        if (packed.Length < TKernel.PackedLength)
        {
            throw new ArgumentException($"The packed layer has {packed.Length} floats; the {inputs} -> {outputs} kernel needs {TKernel.PackedLength}.", nameof(packed));
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

        int panels = TKernel.Panels;
        if (firstPanel < 0 || panelCount < 0 || firstPanel > panels || panelCount > panels - firstPanel)
        {
            throw PanelsOutOfRange(panels, firstPanel, panelCount, $"the {inputs} -> {outputs} kernel");
        }

        if (TKernel.Activation == Activation.Softmax && (firstPanel != 0 || panelCount != panels))
        {
            throw new ArgumentException(
                $"The {inputs} -> {outputs} softmax kernel normalises whole rows: it takes only all of its panels (0, {panels}), not ({firstPanel}, {panelCount}). Split it by rows.",
                nameof(panelCount));
        }
    }

    /// <summary>The error for a layer index a generated network does not have.</summary>
    public static ArgumentOutOfRangeException NoSuchLayer(string network, int layer, int layers) =>
        new(nameof(layer), layer, $"{network} has {layers} dense layer(s): the layer must be in 0..{layers - 1}.");

    /// <summary>The error for a layer whose derivative reads its output, so it has no pre-activation kernel.</summary>
    public static ArgumentOutOfRangeException NoPreActivation(string network, int layer) =>
        new(nameof(layer), layer, $"Layer {layer} of {network} has no pre-activation kernel: its activation's derivative is computed from its output.");

    /// <summary>The error for a path a generated network does not have.</summary>
    public static NotSupportedException PathNotGenerated(KernelPath path, string network) =>
        new($"{network} has no {path} path.");

    internal static ArgumentOutOfRangeException PanelsOutOfRange(int panels, int firstPanel, int panelCount, string owner) =>
        new(
            firstPanel < 0 || firstPanel > panels ? "firstPanel" : "panelCount",
            $"Panels [{firstPanel}, {(long)firstPanel + panelCount}) (firstPanel {firstPanel}, panelCount {panelCount}) are outside the {panels} panel(s) of {owner}: firstPanel must be in 0..{panels} and firstPanel + panelCount at most {panels}.");
}
