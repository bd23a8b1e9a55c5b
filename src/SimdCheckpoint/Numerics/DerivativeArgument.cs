namespace SimdCheckpoint.Numerics;

/// <summary>What an activation's derivative is computed from in the backward pass.</summary>
public enum DerivativeArgument
{
    /// <summary>The layer's output y = act(z).</summary>
    Output = 0,

    /// <summary>The pre-activation z (the accumulator before the activation).</summary>
    PreActivation = 1,
}
