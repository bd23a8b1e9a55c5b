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

    private static void CheckLength(int actual, long expected, string what, NetworkSpec spec, int batch, string paramName)
    {
        if (actual != expected)
        {
            int perRow = what == "input" ? spec.InputSize : spec.OutputSize;
            throw new ArgumentException($"The {what} has {actual} floats; {spec.Name} with batch {batch} needs exactly {batch}·{perRow} = {expected}.", paramName);
        }
    }
}
