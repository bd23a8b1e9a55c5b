namespace SimdCheckpoint.Numerics;

/// <summary>An element-wise function written once over <see cref="IFloatOps{T}"/>, so every width runs the same operations.</summary>
public interface IUnaryFunction
{
    /// <summary>The function on one float or on each lane of a vector.</summary>
    static abstract T Invoke<TOps, T>(T x)
        where TOps : IFloatOps<T>;
}
