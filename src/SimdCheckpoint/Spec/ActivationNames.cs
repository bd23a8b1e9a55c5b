// Shared with the source generator (see Activation.cs).
using System;

namespace SimdCheckpoint;

/// <summary>The names of activations in JSON specs and in messages.</summary>
internal static class ActivationNames
{
    /// <summary>PyTorch's default negative slope for <c>nn.LeakyReLU</c>.</summary>
    public const float DefaultLeakyReluAlpha = 0.01f;

    /// <summary>The canonical spelling of each activation, as JSON specs write it.</summary>
    public static string ToJsonName(Activation activation) => activation switch
    {
        Activation.Identity => "identity",
        Activation.Relu => "relu",
        Activation.LeakyRelu => "leaky_relu",
        Activation.Sigmoid => "sigmoid",
        Activation.Tanh => "tanh",
        Activation.Gelu => "gelu",
        Activation.GeluTanh => "gelu_tanh",
        Activation.Silu => "silu",
        Activation.Softmax => "softmax",
        _ => ((int)activation).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Accepted = "identity (or linear, none), relu, leaky_relu, sigmoid, tanh, gelu, gelu_tanh, silu (or swish), softmax";

    /// <summary>Parses a JSON activation name; case-insensitive, '-' and '_' interchangeable.</summary>
    public static bool TryParse(string text, out Activation activation)
    {
        switch (text.Replace('-', '_').ToLowerInvariant())
        {
            case "identity":
            case "linear":
            case "none":
                activation = Activation.Identity;
                return true;
            case "relu":
                activation = Activation.Relu;
                return true;
            case "leaky_relu":
            case "leakyrelu":
                activation = Activation.LeakyRelu;
                return true;
            case "sigmoid":
            case "logistic":
                activation = Activation.Sigmoid;
                return true;
            case "tanh":
                activation = Activation.Tanh;
                return true;
            case "gelu":
                activation = Activation.Gelu;
                return true;
            case "gelu_tanh":
                activation = Activation.GeluTanh;
                return true;
            case "silu":
            case "swish":
                activation = Activation.Silu;
                return true;
            case "softmax":
                activation = Activation.Softmax;
                return true;
            default:
                activation = default;
                return false;
        }
    }

    /// <summary>Whether <paramref name="value"/> names a member of <see cref="Activation"/>.</summary>
    public static bool IsDefined(int value) => value >= (int)Activation.Identity && value <= (int)Activation.Softmax;

    /// <summary>Whether the activation takes the <c>alpha</c> parameter.</summary>
    public static bool TakesAlpha(Activation activation) => activation == Activation.LeakyRelu;

    internal static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

    internal static StringComparison NameComparison => StringComparison.Ordinal;
}
