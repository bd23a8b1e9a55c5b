using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// Each canonical function at each width: the scalar form and the 4-, 8- and 16-lane forms give the same bits lane for
/// lane. Generated kernels call these from their epilogues; they are compiled fully optimised on first call, like the
/// kernels, so a kernel never runs (or waits for) an unoptimised copy.
/// </summary>
public static partial class CanonicalMath
{
    /// <inheritdoc cref="Exp{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Exp(float x) => Exp<ScalarOps, float>(x);

    /// <inheritdoc cref="Exp{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Exp(Vector128<float> x) => Exp<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Exp{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Exp(Vector256<float> x) => Exp<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Exp{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Exp(Vector512<float> x) => Exp<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Erf{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Erf(float x) => Erf<ScalarOps, float>(x);

    /// <inheritdoc cref="Erf{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Erf(Vector128<float> x) => Erf<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Erf{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Erf(Vector256<float> x) => Erf<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Erf{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Erf(Vector512<float> x) => Erf<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Erfc{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Erfc(float x) => Erfc<ScalarOps, float>(x);

    /// <inheritdoc cref="Erfc{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Erfc(Vector128<float> x) => Erfc<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Erfc{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Erfc(Vector256<float> x) => Erfc<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Erfc{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Erfc(Vector512<float> x) => Erfc<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Sigmoid{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sigmoid(float x) => Sigmoid<ScalarOps, float>(x);

    /// <inheritdoc cref="Sigmoid{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Sigmoid<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Sigmoid{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Sigmoid<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Sigmoid{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Sigmoid<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Tanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Tanh(float x) => Tanh<ScalarOps, float>(x);

    /// <inheritdoc cref="Tanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Tanh(Vector128<float> x) => Tanh<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Tanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Tanh(Vector256<float> x) => Tanh<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Tanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Tanh(Vector512<float> x) => Tanh<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Silu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Silu(float x) => Silu<ScalarOps, float>(x);

    /// <inheritdoc cref="Silu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Silu(Vector128<float> x) => Silu<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Silu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Silu(Vector256<float> x) => Silu<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Silu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Silu(Vector512<float> x) => Silu<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="Gelu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Gelu(float x) => Gelu<ScalarOps, float>(x);

    /// <inheritdoc cref="Gelu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> Gelu(Vector128<float> x) => Gelu<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="Gelu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> Gelu(Vector256<float> x) => Gelu<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="Gelu{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> Gelu(Vector512<float> x) => Gelu<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="GeluTanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float GeluTanh(float x) => GeluTanh<ScalarOps, float>(x);

    /// <inheritdoc cref="GeluTanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> GeluTanh(Vector128<float> x) => GeluTanh<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="GeluTanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> GeluTanh(Vector256<float> x) => GeluTanh<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="GeluTanh{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> GeluTanh(Vector512<float> x) => GeluTanh<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="SiluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SiluDerivative(float x) => SiluDerivative<ScalarOps, float>(x);

    /// <inheritdoc cref="SiluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> SiluDerivative(Vector128<float> x) => SiluDerivative<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="SiluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> SiluDerivative(Vector256<float> x) => SiluDerivative<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="SiluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> SiluDerivative(Vector512<float> x) => SiluDerivative<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="GeluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float GeluDerivative(float x) => GeluDerivative<ScalarOps, float>(x);

    /// <inheritdoc cref="GeluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> GeluDerivative(Vector128<float> x) => GeluDerivative<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="GeluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> GeluDerivative(Vector256<float> x) => GeluDerivative<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="GeluDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> GeluDerivative(Vector512<float> x) => GeluDerivative<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="GeluTanhDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float GeluTanhDerivative(float x) => GeluTanhDerivative<ScalarOps, float>(x);

    /// <inheritdoc cref="GeluTanhDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> GeluTanhDerivative(Vector128<float> x) => GeluTanhDerivative<Vector128Ops, Vector128<float>>(x);

    /// <inheritdoc cref="GeluTanhDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> GeluTanhDerivative(Vector256<float> x) => GeluTanhDerivative<Vector256Ops, Vector256<float>>(x);

    /// <inheritdoc cref="GeluTanhDerivative{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> GeluTanhDerivative(Vector512<float> x) => GeluTanhDerivative<Vector512Ops, Vector512<float>>(x);

    /// <inheritdoc cref="SigmoidDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SigmoidDerivativeFromOutput(float y) => SigmoidDerivativeFromOutput<ScalarOps, float>(y);

    /// <inheritdoc cref="SigmoidDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> SigmoidDerivativeFromOutput(Vector128<float> y) => SigmoidDerivativeFromOutput<Vector128Ops, Vector128<float>>(y);

    /// <inheritdoc cref="SigmoidDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> SigmoidDerivativeFromOutput(Vector256<float> y) => SigmoidDerivativeFromOutput<Vector256Ops, Vector256<float>>(y);

    /// <inheritdoc cref="SigmoidDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> SigmoidDerivativeFromOutput(Vector512<float> y) => SigmoidDerivativeFromOutput<Vector512Ops, Vector512<float>>(y);

    /// <inheritdoc cref="TanhDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float TanhDerivativeFromOutput(float y) => TanhDerivativeFromOutput<ScalarOps, float>(y);

    /// <inheritdoc cref="TanhDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector128<float> TanhDerivativeFromOutput(Vector128<float> y) => TanhDerivativeFromOutput<Vector128Ops, Vector128<float>>(y);

    /// <inheritdoc cref="TanhDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector256<float> TanhDerivativeFromOutput(Vector256<float> y) => TanhDerivativeFromOutput<Vector256Ops, Vector256<float>>(y);

    /// <inheritdoc cref="TanhDerivativeFromOutput{TOps, T}(T)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector512<float> TanhDerivativeFromOutput(Vector512<float> y) => TanhDerivativeFromOutput<Vector512Ops, Vector512<float>>(y);
}
