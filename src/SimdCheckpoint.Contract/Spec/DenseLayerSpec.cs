using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// One fully connected layer: <c>y[m,n] = act(b[n] + Σ_k x[m,k]·W[k,n])</c>, with the sum evaluated as a fused
/// multiply-add chain over k ascending, starting from the bias (the determinism contract in the README).
/// </summary>
/// <remarks>
/// The constructor records what it is given; <see cref="NetworkSpec"/> checks a whole network and reports every
/// problem at once. <see cref="Alpha"/> is the slope of <see cref="Activation.LeakyRelu"/> (default 0.01, as in
/// PyTorch) and must not be given for any other activation. In a chain the layer reads the previous layer's output;
/// in a graph, <see cref="WithTensors"/> names the tensor it reads and the one it writes.
/// </remarks>
public sealed class DenseLayerSpec : NodeSpec, IEquatable<DenseLayerSpec>
{
    private readonly float? _alpha;

    /// <summary>Describes a dense layer.</summary>
    /// <param name="name">The layer's name; its tensors are <c>{name}.weight</c> and <c>{name}.bias</c>.</param>
    /// <param name="inputs">K, the number of inputs.</param>
    /// <param name="outputs">N, the number of outputs.</param>
    /// <param name="activation">The function applied to each output.</param>
    /// <param name="alpha">The slope for negative inputs of <see cref="Activation.LeakyRelu"/>; null for its default.</param>
    public DenseLayerSpec(string name, int inputs, int outputs, Activation activation = Activation.Identity, float? alpha = null)
        : this(name, inputs, outputs, activation, alpha, null, null)
    {
    }

    private DenseLayerSpec(string name, int inputs, int outputs, Activation activation, float? alpha, string[]? input, string? output)
        : base(name, input, output)
    {
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        _alpha = alpha;
    }

    /// <inheritdoc/>
    public override NodeKind Kind => NodeKind.Dense;

    /// <summary>K, the number of inputs.</summary>
    public int Inputs { get; }

    /// <summary>N, the number of outputs.</summary>
    public int Outputs { get; }

    /// <summary>The function applied to each output.</summary>
    public Activation Activation { get; }

    /// <summary>The activation's parameter: the negative slope for <see cref="Activation.LeakyRelu"/>, otherwise 0.</summary>
    public float Alpha => ActivationInfo.IsDefined((int)Activation) && ActivationInfo.Of(Activation).TakesAlpha ? _alpha ?? ActivationInfo.DefaultLeakyReluAlpha : 0f;

    /// <summary>Whether an alpha was given explicitly (checked against the activation by <see cref="NetworkSpec"/>).</summary>
    internal bool AlphaGiven => _alpha.HasValue;

    internal float? GivenAlpha => _alpha;

    /// <summary>The number of weights and biases, K·N + N.</summary>
    public override long ParameterCount => ((long)Inputs * Outputs) + Outputs;

    /// <summary>2·K·N: one fused multiply-add per weight.</summary>
    public override long FlopsPerRow => 2L * Inputs * Outputs;

    /// <summary>N.</summary>
    public override int OutputWidth => Outputs;

    internal override int Arity => 1;

    internal override string CompiledForm =>
        "dense " + Inputs.ToString(CultureInfo.InvariantCulture) + " " + Outputs.ToString(CultureInfo.InvariantCulture) + " "
        + ActivationInfo.NameOf(Activation) + " " + SpecHash.SingleBits(Alpha).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>This layer, reading the tensor <paramref name="input"/> and writing <paramref name="output"/>: a node of a graph.</summary>
    /// <exception cref="ArgumentNullException">A name is null.</exception>
    public DenseLayerSpec WithTensors(string input, string output)
    {
        if (input is null)
        {
            throw new ArgumentNullException(nameof(input));
        }

        if (output is null)
        {
            throw new ArgumentNullException(nameof(output));
        }

        return new DenseLayerSpec(Name, Inputs, Outputs, Activation, _alpha, new[] { input }, output);
    }

    internal override NodeSpec Wire(string[] inputs, string output) => new DenseLayerSpec(Name, Inputs, Outputs, Activation, _alpha, inputs, output);

    internal override void Validate(int index, IReadOnlyList<int> inputWidths, SpecProblems problems)
    {
        string who = Describe(index);

        // A graph node that gives no "inputs" takes the width of the tensor it reads; where that tensor is unknown (already
        // reported as a wiring problem) its 0 is no second mistake of the user's.
        bool widthUnknown = Inputs == 0 && inputWidths.Count == 1 && inputWidths[0] < 0;
        if (!widthUnknown)
        {
            problems.CheckDimension(Inputs, "inputs", who, index, SpecField.Inputs);
        }

        problems.CheckDimension(Outputs, "outputs", who, index, SpecField.Outputs);
        if (!ActivationInfo.IsDefined((int)Activation))
        {
            problems.Add(
                SpecDiagnosticIds.UnknownActivation,
                who + " has an unknown activation (" + ((int)Activation).ToString(CultureInfo.InvariantCulture) + "); use one of: " + ActivationInfo.Accepted + ".",
                index,
                SpecField.Activation);
        }
        else if (_alpha.HasValue && !ActivationInfo.Of(Activation).TakesAlpha)
        {
            problems.Add(
                SpecDiagnosticIds.InvalidAlpha,
                who + " gives alpha, but only leaky_relu takes one (its activation is " + ActivationInfo.NameOf(Activation) + ").",
                index,
                SpecField.Alpha);
        }
        else if (_alpha.HasValue && !ActivationInfo.IsFinite(_alpha.Value))
        {
            problems.Add(
                SpecDiagnosticIds.InvalidAlpha,
                who + " has alpha " + _alpha.Value.ToString("R", CultureInfo.InvariantCulture) + "; it must be a finite number.",
                index,
                SpecField.Alpha);
        }

        if (inputWidths.Count == 1 && inputWidths[0] > 0 && Inputs > 0 && inputWidths[0] != Inputs)
        {
            problems.SizeMismatch(this, index, inputWidths[0]);
        }
    }

    /// <inheritdoc/>
    public bool Equals(DenseLayerSpec? other) => Equals((NodeSpec?)other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NodeSpec);

    /// <inheritdoc/>
    public override int GetHashCode() => base.GetHashCode();

    private protected override bool SameOperation(NodeSpec other) =>
        other is DenseLayerSpec d
        && Inputs == d.Inputs
        && Outputs == d.Outputs
        && Activation == d.Activation
        && Nullable.Equals(_alpha, d._alpha);

    private protected override int OperationHash() => SpecHash.Combine(Inputs, Outputs, SpecHash.Combine((int)Activation, _alpha.GetHashCode()));

    /// <summary>Whether <paramref name="other"/> compiles to the same kernel: the same K, N, activation and parameter (names aside).</summary>
    internal bool SameKernel(DenseLayerSpec other) =>
        Inputs == other.Inputs && Outputs == other.Outputs && Activation == other.Activation && SpecHash.SingleBits(Alpha) == SpecHash.SingleBits(other.Alpha);

    /// <summary>"784 -> 256 relu", "20 -> 3 leaky_relu(0.125)".</summary>
    internal string ShapeText =>
        Inputs.ToString(CultureInfo.InvariantCulture) + " -> " + Outputs.ToString(CultureInfo.InvariantCulture) + " " + ActivationInfo.Describe(Activation, Alpha);

    /// <inheritdoc/>
    public override string ToString() => Name + ": " + ShapeText;
}
