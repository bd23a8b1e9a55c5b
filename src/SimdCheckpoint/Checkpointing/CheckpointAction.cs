using System.Globalization;

namespace SimdCheckpoint.Checkpointing;

/// <summary>What one step of a checkpoint schedule does. States are numbered 0..L: state i is layer i's input, state L the network's output.</summary>
public enum CheckpointActionKind
{
    /// <summary>Run layer <see cref="CheckpointAction.State"/> forward: the current state i becomes state i + 1 (one layer evaluation).</summary>
    Advance = 0,

    /// <summary>Copy the current state into a new checkpoint on top of the checkpoint stack.</summary>
    Store = 1,

    /// <summary>Make a checkpointed state the current one (no evaluation; it is read where it is stored).</summary>
    Restore = 2,

    /// <summary>Drop the checkpoint on top of the stack, which must hold this state.</summary>
    Free = 3,

    /// <summary>
    /// The reverse step of layer i (from the current state i): the gradient with respect to the layer's input from the
    /// gradient with respect to its output. It needs state i + 1 (or layer i's pre-activation): read from the
    /// checkpoint stack when state i + 1 is there, otherwise recomputed by one layer evaluation of its own.
    /// </summary>
    Reverse = 4,
}

/// <summary>One step of a <see cref="CheckpointSchedule"/>.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="State">The state it concerns (for <see cref="CheckpointActionKind.Advance"/> and <see cref="CheckpointActionKind.Reverse"/>, the layer: its input state).</param>
public readonly record struct CheckpointAction(CheckpointActionKind Kind, int State)
{
    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        CheckpointActionKind.Advance => string.Create(CultureInfo.InvariantCulture, $"advance {State}->{State + 1}"),
        CheckpointActionKind.Store => string.Create(CultureInfo.InvariantCulture, $"store {State}"),
        CheckpointActionKind.Restore => string.Create(CultureInfo.InvariantCulture, $"restore {State}"),
        CheckpointActionKind.Free => string.Create(CultureInfo.InvariantCulture, $"free {State}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"reverse {State}"),
    };
}
