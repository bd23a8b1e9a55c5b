using System;

namespace SimdCheckpoint;

/// <summary>
/// Declares one dense layer of a <see cref="NetworkAttribute"/> network: <c>y = act(x·W + b)</c> with
/// <c>W</c> of shape [<paramref name="inputs"/>, <paramref name="outputs"/>]. Layers run in the order they are written.
/// </summary>
/// <param name="inputs">K, the number of inputs; must equal the previous layer's outputs.</param>
/// <param name="outputs">N, the number of outputs.</param>
/// <param name="activation">The function applied to each output.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute(int inputs, int outputs, Activation activation = Activation.Identity) : Attribute
{
    /// <summary>K, the number of inputs.</summary>
    public int Inputs { get; } = inputs;

    /// <summary>N, the number of outputs.</summary>
    public int Outputs { get; } = outputs;

    /// <summary>The function applied to each output.</summary>
    public Activation Activation { get; } = activation;

    /// <summary>The slope for negative inputs of <see cref="Activation.LeakyRelu"/> (default 0.01); only for that activation.</summary>
    public float Alpha { get; set; } = 0.01f;

    /// <summary>The layer's name, which names its tensors <c>{Name}.weight</c> and <c>{Name}.bias</c>; default <c>dense{index}</c>.</summary>
    public string? Name { get; set; }
}
