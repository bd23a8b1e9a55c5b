namespace SimdCheckpoint.Numerics;

/// <summary>
/// The canonical element-wise functions as types, so generic code (span loops, the accuracy scan, benchmarks) can
/// run one of them at any width without a delegate call per element: <c>Elementwise.Map&lt;UnaryFunctions.Gelu&gt;(x, y)</c>.
/// </summary>
public static class UnaryFunctions
{
    /// <summary>e^x: <see cref="CanonicalMath.Exp{TOps, T}(T)"/>.</summary>
    public readonly struct Exp : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Exp<TOps, T>(x);
    }

    /// <summary>erf(x): <see cref="CanonicalMath.Erf{TOps, T}(T)"/>.</summary>
    public readonly struct Erf : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Erf<TOps, T>(x);
    }

    /// <summary>erfc(x): <see cref="CanonicalMath.Erfc{TOps, T}(T)"/>.</summary>
    public readonly struct Erfc : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Erfc<TOps, T>(x);
    }

    /// <summary>1 / (1 + e^(−x)): <see cref="CanonicalMath.Sigmoid{TOps, T}(T)"/>.</summary>
    public readonly struct Sigmoid : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Sigmoid<TOps, T>(x);
    }

    /// <summary>tanh(x): <see cref="CanonicalMath.Tanh{TOps, T}(T)"/>.</summary>
    public readonly struct Tanh : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Tanh<TOps, T>(x);
    }

    /// <summary>x·sigmoid(x): <see cref="CanonicalMath.Silu{TOps, T}(T)"/>.</summary>
    public readonly struct Silu : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Silu<TOps, T>(x);
    }

    /// <summary>x·Φ(x), the erf form: <see cref="CanonicalMath.Gelu{TOps, T}(T)"/>.</summary>
    public readonly struct Gelu : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.Gelu<TOps, T>(x);
    }

    /// <summary>GELU's tanh approximation: <see cref="CanonicalMath.GeluTanh{TOps, T}(T)"/>.</summary>
    public readonly struct GeluTanh : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.GeluTanh<TOps, T>(x);
    }

    /// <summary>SiLU′(x): <see cref="CanonicalMath.SiluDerivative{TOps, T}(T)"/>.</summary>
    public readonly struct SiluDerivative : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.SiluDerivative<TOps, T>(x);
    }

    /// <summary>GELU′(x): <see cref="CanonicalMath.GeluDerivative{TOps, T}(T)"/>.</summary>
    public readonly struct GeluDerivative : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.GeluDerivative<TOps, T>(x);
    }

    /// <summary>the tanh-form GELU′(x): <see cref="CanonicalMath.GeluTanhDerivative{TOps, T}(T)"/>.</summary>
    public readonly struct GeluTanhDerivative : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.GeluTanhDerivative<TOps, T>(x);
    }

    /// <summary>y·(1 − y), sigmoid′ from its output: <see cref="CanonicalMath.SigmoidDerivativeFromOutput{TOps, T}(T)"/>.</summary>
    public readonly struct SigmoidDerivativeFromOutput : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.SigmoidDerivativeFromOutput<TOps, T>(x);
    }

    /// <summary>1 − y², tanh′ from its output: <see cref="CanonicalMath.TanhDerivativeFromOutput{TOps, T}(T)"/>.</summary>
    public readonly struct TanhDerivativeFromOutput : IUnaryFunction
    {
        /// <inheritdoc/>
        public static T Invoke<TOps, T>(T x)
            where TOps : IFloatOps<T> => CanonicalMath.TanhDerivativeFromOutput<TOps, T>(x);
    }
}
