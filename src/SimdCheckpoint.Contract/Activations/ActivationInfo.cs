using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>Where an activation runs in a dense kernel.</summary>
internal enum EpilogueKind
{
    /// <summary>Nothing: the accumulators are stored as they are.</summary>
    None,

    /// <summary>On each accumulator tile, before the store.</summary>
    Elementwise,

    /// <summary>Over each finished row, after the layer's last panel (softmax).</summary>
    Row,
}

/// <summary>
/// One activation, everything the generator, the runtime and the tools need to know about it in one entry: its
/// names in specs and messages, whether it takes a parameter, where the kernel applies it, what its derivative reads,
/// and its canonical formula. The table (<see cref="Of"/>) is the only place an activation is described; the functions
/// themselves are the runtime's (<c>Numerics.Activations</c>, <c>Numerics.CanonicalMath</c>, <c>Numerics.Softmax</c>).
/// </summary>
internal sealed class ActivationInfo
{
    /// <summary>PyTorch's default negative slope for <c>nn.LeakyReLU</c>.</summary>
    public const float DefaultLeakyReluAlpha = 0.01f;

    private static readonly ActivationInfo[] Table =
    {
        new(Activation.Identity, "identity", new[] { "linear", "none" }, EpilogueKind.None, Reads.Output, "acc"),
        new(Activation.Relu, "relu", Array.Empty<string>(), EpilogueKind.Elementwise, Reads.Output, "acc < 0 ? +0 : acc"),
        new(Activation.LeakyRelu, "leaky_relu", new[] { "leakyrelu" }, EpilogueKind.Elementwise, Reads.PreActivationUnlessSlopePositive, "acc < 0 ? acc·alpha : acc"),
        new(Activation.Sigmoid, "sigmoid", new[] { "logistic" }, EpilogueKind.Elementwise, Reads.Output, "sigmoid(acc)"),
        new(Activation.Tanh, "tanh", Array.Empty<string>(), EpilogueKind.Elementwise, Reads.Output, "tanh(acc)"),
        new(Activation.Gelu, "gelu", Array.Empty<string>(), EpilogueKind.Elementwise, Reads.PreActivation, "acc·Φ(acc)"),
        new(Activation.GeluTanh, "gelu_tanh", Array.Empty<string>(), EpilogueKind.Elementwise, Reads.PreActivation, "gelu_tanh(acc)"),
        new(Activation.Silu, "silu", new[] { "swish" }, EpilogueKind.Elementwise, Reads.PreActivation, "acc·sigmoid(acc)"),
        new(Activation.Softmax, "softmax", Array.Empty<string>(), EpilogueKind.Row, Reads.Output, "softmax(acc[m,:]) over the row"),
    };

    private ActivationInfo(Activation activation, string jsonName, string[] aliases, EpilogueKind epilogue, Reads derivative, string formula)
    {
        Activation = activation;
        JsonName = jsonName;
        _aliases = aliases;
        Epilogue = epilogue;
        _derivative = derivative;
        Formula = formula;
    }

    private enum Reads
    {
        Output,
        PreActivation,
        PreActivationUnlessSlopePositive,
    }

    private readonly Reads _derivative;
    private readonly string[] _aliases;

    /// <summary>Every activation, in the order of the enum.</summary>
    public static IReadOnlyList<ActivationInfo> All => Table;

    /// <summary>The accepted spellings, for error messages: "identity (or linear, none), relu, …".</summary>
    public static string Accepted
    {
        get
        {
            var parts = new List<string>();
            foreach (ActivationInfo a in Table)
            {
                parts.Add(a._aliases.Length == 0 ? a.JsonName : a.JsonName + " (or " + string.Join(", ", a._aliases) + ")");
            }

            return string.Join(", ", parts);
        }
    }

    public Activation Activation { get; }

    /// <summary>The canonical spelling, as JSON specs, the CLI and messages write it.</summary>
    public string JsonName { get; }

    /// <summary>Other spellings a JSON spec may use.</summary>
    public IReadOnlyList<string> Aliases => _aliases;

    /// <summary>Where a dense kernel applies it.</summary>
    public EpilogueKind Epilogue { get; }

    /// <summary>Whether it takes the <c>alpha</c> parameter (LeakyReLU's negative slope).</summary>
    public bool TakesAlpha => Activation == Activation.LeakyRelu;

    /// <summary>The canonical formula applied to the accumulator, for generated headers and docs.</summary>
    public string Formula { get; }

    /// <summary>Whether <paramref name="value"/> names a member of <see cref="SimdCheckpoint.Activation"/>.</summary>
    public static bool IsDefined(int value) => value >= 0 && value < Table.Length;

    /// <summary>The entry of <paramref name="activation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not a member of the enum.</exception>
    public static ActivationInfo Of(Activation activation) =>
        IsDefined((int)activation) ? Table[(int)activation] : throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");

    /// <summary>The canonical spelling of <paramref name="activation"/>, or its number when it is not a member.</summary>
    public static string NameOf(Activation activation) =>
        IsDefined((int)activation) ? Table[(int)activation].JsonName : ((int)activation).ToString(CultureInfo.InvariantCulture);

    /// <summary>"leaky_relu(0.1)", "gelu": the activation with its parameter, for headers, tables and messages.</summary>
    public static string Describe(Activation activation, float alpha) =>
        IsDefined((int)activation) && Table[(int)activation].TakesAlpha
            ? NameOf(activation) + "(" + alpha.ToString("R", CultureInfo.InvariantCulture) + ")"
            : NameOf(activation);

    /// <summary>Parses a spec's activation name; case-insensitive, '-' and '_' interchangeable.</summary>
    public static bool TryParse(string text, out Activation activation)
    {
        string key = text.Replace('-', '_').ToLowerInvariant();
        foreach (ActivationInfo a in Table)
        {
            if (key == a.JsonName || Array.IndexOf(a._aliases, key) >= 0)
            {
                activation = a.Activation;
                return true;
            }
        }

        activation = default;
        return false;
    }

    /// <summary>
    /// True when act′ needs the pre-activation z (GELU, tanh-GELU, SiLU, and LeakyReLU with a slope ≤ 0, whose sign the
    /// output does not keep); false when it follows from the output y (identity, ReLU, LeakyReLU with a positive slope,
    /// sigmoid, tanh) or, for softmax, when the backward pass is a row function of the output. The backward planner and
    /// the executor both ask here, so the kernels a gradient network gets and the calls it makes cannot disagree.
    /// </summary>
    public bool DerivativeReadsPreActivation(float alpha) => _derivative switch
    {
        Reads.PreActivation => true,
        Reads.PreActivationUnlessSlopePositive => !(alpha > 0),
        _ => false,
    };

    /// <inheritdoc cref="DerivativeReadsPreActivation(float)"/>
    public static bool ReadsPreActivation(Activation activation, float alpha) => Of(activation).DerivativeReadsPreActivation(alpha);

    internal static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);
}
