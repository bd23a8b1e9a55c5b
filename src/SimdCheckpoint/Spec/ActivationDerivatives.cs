// Shared with the source generator (see Activation.cs).
namespace SimdCheckpoint;

/// <summary>
/// Which value each activation's derivative is computed from in the backward pass. The runtime's
/// <c>Numerics.Activations.DerivativeArgumentOf</c> and the generator's backward plan both ask here, so the kernels
/// the generator emits for a layer and the executor that calls them cannot disagree.
/// </summary>
internal static class ActivationDerivatives
{
    /// <summary>
    /// True when act′ needs the pre-activation z (GELU, tanh-GELU, SiLU, and LeakyReLU with a slope ≤ 0, whose sign
    /// the output does not keep); false when it follows from the output y (identity, ReLU, LeakyReLU with a positive
    /// slope, sigmoid, tanh) or, for softmax, when the backward pass is a row function of the output.
    /// </summary>
    public static bool ReadsPreActivation(Activation activation, float alpha) => activation switch
    {
        Activation.Gelu or Activation.GeluTanh or Activation.Silu => true,
        Activation.LeakyRelu => !(alpha > 0),
        _ => false,
    };
}
