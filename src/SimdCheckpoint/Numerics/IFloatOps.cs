using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// The binary32 operations a canonical function may use (docs/math-accuracy.md), for one value type: a float, or
/// a vector of 4, 8 or 16 floats. A function written once against this interface runs the same sequence of
/// operations at every width, so every width gives the scalar bits by construction; the JIT specialises each
/// instantiation to straight-line code.
/// </summary>
/// <typeparam name="T">float, or Vector128/256/512 of float.</typeparam>
public interface IFloatOps<T>
{
    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract T Broadcast(float value);

    /// <summary>The number of floats in one <typeparamref name="T"/>: 1, 4, 8 or 16.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats starting at <paramref name="source"/>.</summary>
    static abstract T Load(ref readonly float source);

    /// <summary>Stores <paramref name="value"/>'s <see cref="Count"/> floats starting at <paramref name="destination"/>.</summary>
    static abstract void Store(T value, ref float destination);

    /// <summary>a + b, correctly rounded.</summary>
    static abstract T Add(T a, T b);

    /// <summary>a − b, correctly rounded.</summary>
    static abstract T Subtract(T a, T b);

    /// <summary>a · b, correctly rounded.</summary>
    static abstract T Multiply(T a, T b);

    /// <summary>a / b, correctly rounded.</summary>
    static abstract T Divide(T a, T b);

    /// <summary>|a|: the sign bit cleared (a bit operation, exact, NaN stays NaN).</summary>
    static abstract T Abs(T a);

    /// <summary>a · b + c with one rounding.</summary>
    static abstract T FusedMultiplyAdd(T a, T b, T c);

    /// <summary>Round to the nearest integer, ties to even (an exact operation).</summary>
    static abstract T RoundToEven(T a);

    /// <summary>The lanes where a &lt; b (false where either is NaN).</summary>
    static abstract T LessThan(T a, T b);

    /// <summary>The lanes where a &gt; b (false where either is NaN).</summary>
    static abstract T GreaterThan(T a, T b);

    /// <summary>Per lane, <paramref name="mask"/> ? a : b (mask lanes all ones or all zeros).</summary>
    static abstract T ConditionalSelect(T mask, T a, T b);

    /// <summary>The float whose bits are (int)<paramref name="n"/> + 127 shifted into the exponent: 2^n for integral n in [-126, 127].</summary>
    static abstract T ExponentToPowerOfTwo(T n);
}

/// <summary><see cref="IFloatOps{T}"/> for one float.</summary>
public readonly struct ScalarOps : IFloatOps<float>
{
    /// <inheritdoc/>
    public static float Broadcast(float value) => value;

    /// <inheritdoc/>
    public static int Count => 1;

    /// <inheritdoc/>
    public static float Load(ref readonly float source) => source;

    /// <inheritdoc/>
    public static void Store(float value, ref float destination) => destination = value;

    /// <inheritdoc/>
    public static float Add(float a, float b) => a + b;

    /// <inheritdoc/>
    public static float Subtract(float a, float b) => a - b;

    /// <inheritdoc/>
    public static float Multiply(float a, float b) => a * b;

    /// <inheritdoc/>
    public static float Divide(float a, float b) => a / b;

    /// <inheritdoc/>
    public static float Abs(float a) => System.BitConverter.Int32BitsToSingle(System.BitConverter.SingleToInt32Bits(a) & int.MaxValue);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FusedMultiplyAdd(float a, float b, float c) => System.MathF.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    public static float RoundToEven(float a) => System.MathF.Round(a, System.MidpointRounding.ToEven);

    /// <inheritdoc/>
    public static float LessThan(float a, float b) => a < b ? AllOnes : 0f;

    /// <inheritdoc/>
    public static float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;

    /// <inheritdoc/>
    public static float ConditionalSelect(float mask, float a, float b) => System.BitConverter.SingleToInt32Bits(mask) != 0 ? a : b;

    /// <inheritdoc/>
    public static float ExponentToPowerOfTwo(float n) => System.BitConverter.Int32BitsToSingle(((int)n + 127) << 23);

    private static float AllOnes => System.BitConverter.Int32BitsToSingle(-1);
}

/// <summary><see cref="IFloatOps{T}"/> for 4 lanes.</summary>
public readonly struct Vector128Ops : IFloatOps<Vector128<float>>
{
    /// <inheritdoc/>
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    /// <inheritdoc/>
    public static int Count => 4;

    /// <inheritdoc/>
    public static Vector128<float> Load(ref readonly float source) => Vector128.LoadUnsafe(in source);

    /// <inheritdoc/>
    public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    /// <inheritdoc/>
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    /// <inheritdoc/>
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    /// <inheritdoc/>
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    /// <inheritdoc/>
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    /// <inheritdoc/>
    public static Vector128<float> Abs(Vector128<float> a) => (a.AsInt32() & Vector128.Create(int.MaxValue)).AsSingle();

    /// <inheritdoc/>
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    public static Vector128<float> RoundToEven(Vector128<float> a) => Vector128.Round(a);

    /// <inheritdoc/>
    public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);

    /// <inheritdoc/>
    public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);

    /// <inheritdoc/>
    public static Vector128<float> ConditionalSelect(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);

    /// <inheritdoc/>
    public static Vector128<float> ExponentToPowerOfTwo(Vector128<float> n) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();
}

/// <summary><see cref="IFloatOps{T}"/> for 8 lanes.</summary>
public readonly struct Vector256Ops : IFloatOps<Vector256<float>>
{
    /// <inheritdoc/>
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    /// <inheritdoc/>
    public static int Count => 8;

    /// <inheritdoc/>
    public static Vector256<float> Load(ref readonly float source) => Vector256.LoadUnsafe(in source);

    /// <inheritdoc/>
    public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    /// <inheritdoc/>
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    /// <inheritdoc/>
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    /// <inheritdoc/>
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    /// <inheritdoc/>
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    /// <inheritdoc/>
    public static Vector256<float> Abs(Vector256<float> a) => (a.AsInt32() & Vector256.Create(int.MaxValue)).AsSingle();

    /// <inheritdoc/>
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    public static Vector256<float> RoundToEven(Vector256<float> a) => Vector256.Round(a);

    /// <inheritdoc/>
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);

    /// <inheritdoc/>
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    /// <inheritdoc/>
    public static Vector256<float> ConditionalSelect(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);

    /// <inheritdoc/>
    public static Vector256<float> ExponentToPowerOfTwo(Vector256<float> n) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();
}

/// <summary><see cref="IFloatOps{T}"/> for 16 lanes.</summary>
public readonly struct Vector512Ops : IFloatOps<Vector512<float>>
{
    /// <inheritdoc/>
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    /// <inheritdoc/>
    public static int Count => 16;

    /// <inheritdoc/>
    public static Vector512<float> Load(ref readonly float source) => Vector512.LoadUnsafe(in source);

    /// <inheritdoc/>
    public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    /// <inheritdoc/>
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    /// <inheritdoc/>
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    /// <inheritdoc/>
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    /// <inheritdoc/>
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    /// <inheritdoc/>
    public static Vector512<float> Abs(Vector512<float> a) => (a.AsInt32() & Vector512.Create(int.MaxValue)).AsSingle();

    /// <inheritdoc/>
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    public static Vector512<float> RoundToEven(Vector512<float> a) => Vector512.Round(a);

    /// <inheritdoc/>
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);

    /// <inheritdoc/>
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    /// <inheritdoc/>
    public static Vector512<float> ConditionalSelect(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);

    /// <inheritdoc/>
    public static Vector512<float> ExponentToPowerOfTwo(Vector512<float> n) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
}
