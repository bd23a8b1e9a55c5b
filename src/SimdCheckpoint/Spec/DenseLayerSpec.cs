// Shared with the source generator (see Activation.cs).
using System;

namespace SimdCheckpoint;

/// <summary>
/// One fully connected layer: <c>y[m,n] = act(b[n] + Σ_k x[m,k]·W[k,n])</c>, with the sum evaluated as a fused
/// multiply-add chain over k ascending, starting from the bias (the determinism contract in the README).
/// </summary>
/// <remarks>
/// The constructor records what it is given; <see cref="NetworkSpec"/> checks a whole network's layers and reports
/// every problem at once. <see cref="Alpha"/> is the slope of <see cref="Activation.LeakyRelu"/>
/// (default 0.01, as in PyTorch) and must not be given for any other activation.
/// </remarks>
#if SIMDCHECKPOINT_GENERATOR
internal
#else
public
#endif
sealed class DenseLayerSpec : IEquatable<DenseLayerSpec>
{
    private readonly float? _alpha;

    /// <summary>Describes a dense layer.</summary>
    /// <param name="name">The layer's name; its tensors are <c>{name}.weight</c> and <c>{name}.bias</c>.</param>
    /// <param name="inputs">K, the number of inputs.</param>
    /// <param name="outputs">N, the number of outputs.</param>
    /// <param name="activation">The function applied to each output.</param>
    /// <param name="alpha">The slope for negative inputs of <see cref="Activation.LeakyRelu"/>; null for its default.</param>
    public DenseLayerSpec(string name, int inputs, int outputs, Activation activation = Activation.Identity, float? alpha = null)
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        _alpha = alpha;
    }

    /// <summary>The layer's name; its tensors are <c>{Name}.weight</c> and <c>{Name}.bias</c>.</summary>
    public string Name { get; }

    /// <summary>K, the number of inputs.</summary>
    public int Inputs { get; }

    /// <summary>N, the number of outputs.</summary>
    public int Outputs { get; }

    /// <summary>The function applied to each output.</summary>
    public Activation Activation { get; }

    /// <summary>The activation's parameter: the negative slope for <see cref="Activation.LeakyRelu"/>, otherwise 0.</summary>
    public float Alpha => ActivationNames.TakesAlpha(Activation) ? _alpha ?? ActivationNames.DefaultLeakyReluAlpha : 0f;

    /// <summary>Whether an alpha was given explicitly (checked against the activation by <see cref="NetworkSpec"/>).</summary>
    internal bool AlphaGiven => _alpha.HasValue;

    internal float? GivenAlpha => _alpha;

    /// <summary>The number of weights and biases, K·N + N.</summary>
    public long ParameterCount => ((long)Inputs * Outputs) + Outputs;

    /// <inheritdoc/>
    public bool Equals(DenseLayerSpec? other) =>
        other is not null
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && Inputs == other.Inputs
        && Outputs == other.Outputs
        && Activation == other.Activation
        && Nullable.Equals(_alpha, other._alpha);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DenseLayerSpec);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        SpecHash.Combine(SpecHash.Of(Name), Inputs, Outputs, SpecHash.Combine((int)Activation, _alpha.GetHashCode()));

    /// <inheritdoc/>
    public override string ToString()
    {
        string act = ActivationNames.ToJsonName(Activation);
        if (ActivationNames.TakesAlpha(Activation))
        {
            act += "(" + Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")";
        }

        return Name + ": " + Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture) + " -> "
            + Outputs.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + act;
    }
}
