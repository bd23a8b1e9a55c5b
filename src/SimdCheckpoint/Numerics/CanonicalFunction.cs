using System;
using System.Collections.Generic;
using System.Threading;
using SimdCheckpoint.Reference;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// One canonical element-wise function with its double-precision reference, as the accuracy scan and
/// <c>simdcheckpoint mathcheck</c> see it.
/// </summary>
public sealed class CanonicalFunction
{
    private readonly Func<long, long, long, int, CancellationToken, IProgress<long>?, AccuracyReport> scan;
    private readonly SpanMap map;

    private CanonicalFunction(
        string name, string definition, Func<float, float> scalar, Func<double, double> reference,
        Func<long, long, long, int, CancellationToken, IProgress<long>?, AccuracyReport> scan, SpanMap map)
    {
        Name = name;
        Definition = definition;
        Scalar = scalar;
        Reference = reference;
        this.scan = scan;
        this.map = map;
    }

    private delegate void SpanMap(ReadOnlySpan<float> x, Span<float> y, KernelPath path);

    /// <summary>Every canonical element-wise function, in the order mathcheck reports them.</summary>
    public static IReadOnlyList<CanonicalFunction> All { get; } =
    [
        Create<UnaryFunctions.Exp>("exp", "e^x", ReferenceMath.Exp),
        Create<UnaryFunctions.Erf>("erf", "erf(x)", ReferenceMath.Erf),
        Create<UnaryFunctions.Erfc>("erfc", "erfc(x) = 1 - erf(x)", ReferenceMath.Erfc),
        Create<UnaryFunctions.Sigmoid>("sigmoid", "1 / (1 + e^-x)", ReferenceMath.Sigmoid),
        Create<UnaryFunctions.Tanh>("tanh", "tanh(x)", ReferenceMath.Tanh),
        Create<UnaryFunctions.Silu>("silu", "x * sigmoid(x)", ReferenceMath.Silu),
        Create<UnaryFunctions.Gelu>("gelu", "x * Phi(x) = 0.5 x erfc(-x / sqrt 2)", ReferenceMath.Gelu),
        Create<UnaryFunctions.GeluTanh>("gelu_tanh", "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))", ReferenceMath.GeluTanh),
        Create<UnaryFunctions.SiluDerivative>("silu_derivative", "d silu / dx, from x", ReferenceMath.SiluDerivative),
        Create<UnaryFunctions.GeluDerivative>("gelu_derivative", "d gelu / dx, from x", ReferenceMath.GeluDerivative),
        Create<UnaryFunctions.GeluTanhDerivative>("gelu_tanh_derivative", "d gelu_tanh / dx, from x", ReferenceMath.GeluTanhDerivative),
        Create<UnaryFunctions.SigmoidDerivativeFromOutput>("sigmoid_derivative", "y (1 - y), from the output y", ReferenceMath.SigmoidDerivativeFromOutput),
        Create<UnaryFunctions.TanhDerivativeFromOutput>("tanh_derivative", "1 - y^2, from the output y", ReferenceMath.TanhDerivativeFromOutput),
    ];

    /// <summary>The name mathcheck and the docs use, for example <c>gelu_tanh</c>.</summary>
    public string Name { get; }

    /// <summary>What the function computes, in words and symbols.</summary>
    public string Definition { get; }

    /// <summary>The canonical function on one float.</summary>
    public Func<float, float> Scalar { get; }

    /// <summary>The double-precision reference it is measured against.</summary>
    public Func<double, double> Reference { get; }

    /// <summary>Finds a function by <see cref="Name"/> (case-insensitive, '-' and '_' alike), or null.</summary>
    public static CanonicalFunction? Find(string name)
    {
        string key = name.Replace('-', '_');
        foreach (CanonicalFunction f in All)
        {
            if (string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>
    /// Measures the function over the binary32 bit patterns first, first + stride, … (count of them, wrapping at
    /// 2^32): the error of the scalar form against <see cref="Reference"/> in ulps, and whether the 4-, 8- and 16-lane
    /// forms give the scalar bits for every input. Runs on <paramref name="threads"/> threads.
    /// </summary>
    public AccuracyReport Scan(long first = 0, long count = 1L << 32, long stride = 1, int threads = 0, IProgress<long>? progress = null, CancellationToken cancellation = default) =>
        scan(first, count, stride, threads <= 0 ? Environment.ProcessorCount : threads, cancellation, progress);

    /// <summary>y[i] = f(x[i]) on <paramref name="path"/>: <see cref="Elementwise.Map{TFunction}"/> for this function.</summary>
    public void Map(ReadOnlySpan<float> x, Span<float> y, KernelPath path = KernelPath.Auto) => map(x, y, path);

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static CanonicalFunction Create<TFunction>(string name, string definition, Func<double, double> reference)
        where TFunction : IUnaryFunction =>
        new(name, definition, static x => TFunction.Invoke<ScalarOps, float>(x), reference,
            (first, count, stride, threads, cancellation, progress) =>
                AccuracyScan.Run<TFunction>(name, reference, first, count, stride, threads, cancellation, progress),
            static (x, y, path) => Elementwise.Map<TFunction>(x, y, path));
}
