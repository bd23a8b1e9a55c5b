using System;

namespace SimdCheckpoint;

/// <summary>
/// Marks a <c>partial</c> type as a network whose layers are the <see cref="DenseAttribute"/>s on it, in order.
/// The source generator emits the network's kernels into the type at build time.
/// </summary>
/// <example>
/// <code>
/// [Network]
/// [Dense(784, 256, Activation.Relu)]
/// [Dense(256, 128, Activation.Relu)]
/// [Dense(128, 10)]
/// public partial class MnistMlp;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>
    /// Overrides the planner's register tile height (MR, rows of the batch per microkernel call, 1 to 13) for every
    /// layer; 0 lets the planner choose. For tuning and benchmarks.
    /// </summary>
    public int TileRows { get; set; }

    /// <summary>
    /// Overrides the planner's register tile width (NR, output columns per panel, a multiple of 8 up to 56) for every
    /// layer; 0 lets the planner choose. For tuning and benchmarks.
    /// </summary>
    public int TileColumns { get; set; }

    /// <summary>
    /// Also generates the backward pass's kernels (dX = dZ·Wᵀ and the pre-activations), which a
    /// <see cref="Checkpointing.CheckpointSession{TNetwork}"/> needs; without it the type gets forward kernels only, and
    /// creating a checkpoint session for it is a compile error (SCK0019).
    /// </summary>
    public bool Gradients { get; set; }
}
