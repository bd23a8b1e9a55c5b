using System.Globalization;

namespace SimdCheckpoint.Generators.Emitting;

/// <summary>
/// How each activation appears in generated code: its name in comments and formulas, the call that applies it to one
/// accumulator (a float or a vector: the runtime has an overload of every canonical function per width, all giving
/// the same bits), and, for softmax, the row pass that follows the layer's last panel.
/// </summary>
internal static class Epilogue
{
    private const string Math = "global::SimdCheckpoint.Numerics.CanonicalMath.";
    private const string Activations = "global::SimdCheckpoint.Numerics.Activations.";

    /// <summary>The activation as the docs and JSON spell it, with LeakyReLU's slope.</summary>
    public static string Name(Activation activation, float alpha) => activation == Activation.LeakyRelu
        ? "leaky_relu(" + alpha.ToString("R", CultureInfo.InvariantCulture) + ")"
        : ActivationNames.ToJsonName(activation);

    /// <summary>One line for the kernel header: where and how the activation runs.</summary>
    public static string Describe(Activation activation) => activation switch
    {
        Activation.Identity => "none; the accumulators are stored as they are.",
        Activation.Relu or Activation.LeakyRelu => "a compare and select on each accumulator tile, before the store.",
        Activation.Softmax => "after the last panel, each finished row in place: max, exp(x - max), the sum in 16 partials then pairwise, divide (Numerics.Softmax).",
        _ => $"the canonical {ActivationNames.ToJsonName(activation)} (Numerics.CanonicalMath, one binary32 sequence at every width) on each accumulator tile, before the store.",
    };

    /// <summary>Whether the activation is applied to each accumulator before the store (all but identity and softmax).</summary>
    public static bool IsElementwise(Activation activation) => activation != Activation.Identity && activation != Activation.Softmax;

    /// <summary>The expression applying an element-wise activation to <paramref name="value"/>; LeakyReLU reads a local named alpha.</summary>
    public static string Call(Activation activation, string value) => activation switch
    {
        Activation.Relu => Activations + "Relu(" + value + ")",
        Activation.LeakyRelu => Activations + "LeakyRelu(" + value + ", alpha)",
        Activation.Sigmoid => Math + "Sigmoid(" + value + ")",
        Activation.Tanh => Math + "Tanh(" + value + ")",
        Activation.Gelu => Math + "Gelu(" + value + ")",
        Activation.GeluTanh => Math + "GeluTanh(" + value + ")",
        Activation.Silu => Math + "Silu(" + value + ")",
        _ => value,
    };

    /// <summary>
    /// The expression for act′(<paramref name="value"/>) at the width of <paramref name="ops"/>: the runtime's
    /// <c>Activations.Derivative</c>, the one definition the reference and every backward path share (the JIT folds
    /// its switch on the constant activation).
    /// </summary>
    public static string DerivativeCall(Activation activation, float alpha, string ops, string vector, string value) =>
        $"{Activations}Derivative<global::SimdCheckpoint.Numerics.{ops}, {vector}>(global::SimdCheckpoint.Activation.{activation}, {value}, {Literals.Float(alpha)})";

    /// <summary>The statement applying softmax in place to the m finished rows of y, at the width of <paramref name="ops"/>.</summary>
    public static string SoftmaxRows(string ops, string vector) =>
        $"global::SimdCheckpoint.Numerics.Softmax.Rows<global::SimdCheckpoint.Numerics.{ops}, {vector}>(y, ldy, y, ldy, Outputs, m);";
}
