using System;

namespace SimdCheckpoint.Reference;

/// <summary>
/// Double-precision references for the canonical functions, against which their error in ulps is measured (by the
/// tests and by <c>simdcheckpoint mathcheck</c>). Each is accurate to far below one binary32 ulp over the binary32
/// range, in forms chosen not to cancel: the error function by a positive series, its complement by a continued
/// fraction, sigmoid-like functions from e^(−|v|). At ±inf each gives the limit the canonical function returns.
/// </summary>
public static class ReferenceMath
{
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);

    /// <summary>e^x.</summary>
    public static double Exp(double x) => Math.Exp(x);

    /// <summary>
    /// erf(x). For |x| &lt; 2, 2/√π·e^(−x²)·Σ 2^n·x^(2n+1)/(1·3·…·(2n+1)), a series of positive terms (no cancellation);
    /// above, 1 − erfc(|x|) with the sign restored.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double a = Math.Abs(x);
        if (a >= 2)
        {
            return Math.CopySign(1 - ErfcContinuedFraction(a), x);
        }

        double term = a;
        double sum = a;
        for (int n = 1; term > sum * 1e-18; n++)
        {
            term *= 2 * a * a / ((2 * n) + 1);
            sum += term;
        }

        return Math.CopySign(TwoOverSqrtPi * Math.Exp(-a * a) * sum, x);
    }

    /// <summary>erfc(x) = 1 − erf(x): by the continued fraction from |x| = 2, where 1 − erf would cancel (below, 1 − erf loses at most a factor of 215 to
    /// cancellation: about 5e-14 relative, a million times finer than a binary32 ulp).</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x >= 2)
        {
            return ErfcContinuedFraction(x);
        }

        return x <= -2 ? 2 - ErfcContinuedFraction(-x) : 1 - Erf(x);
    }

    /// <summary>1 / (1 + e^(−x)), from e^(−|x|).</summary>
    public static double Sigmoid(double x)
    {
        double t = Math.Exp(-Math.Abs(x));
        return x >= 0 ? 1 / (1 + t) : t / (1 + t);
    }

    /// <summary>tanh(x).</summary>
    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary>x·sigmoid(x); at −inf, −0.</summary>
    public static double Silu(double x) => double.IsNegativeInfinity(x) ? -0.0 : x * Sigmoid(x);

    /// <summary>0.5·x·erfc(−x/√2); at −inf, −0.</summary>
    public static double Gelu(double x) => double.IsNegativeInfinity(x) ? -0.0 : 0.5 * x * Erfc(-x / Math.Sqrt(2));

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) as x·sigmoid(2√(2/π)·(x + 0.044715·x³)); at −inf, −0.</summary>
    public static double GeluTanh(double x) => double.IsNegativeInfinity(x) ? -0.0 : x * Sigmoid(GeluTanhArgument(x));

    /// <summary>sigmoid(x)·(1 + x·sigmoid(−x)).</summary>
    public static double SiluDerivative(double x) =>
        double.IsInfinity(x) ? (x > 0 ? 1 : -0.0) : Sigmoid(x) * (1 + (x * Sigmoid(-x)));

    /// <summary>Φ(x) + x·φ(x).</summary>
    public static double GeluDerivative(double x) =>
        double.IsInfinity(x) ? (x > 0 ? 1 : -0.0) : (0.5 * Erfc(-x / Math.Sqrt(2))) + (x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI));

    /// <summary>sigmoid(v) + x·sigmoid(v)·sigmoid(−v)·v′(x) for GELU's tanh form.</summary>
    public static double GeluTanhDerivative(double x)
    {
        if (double.IsInfinity(x))
        {
            return x > 0 ? 1 : -0.0;
        }

        double c = 2 * Math.Sqrt(2 / Math.PI);
        double v = GeluTanhArgument(x);
        double slope = c * (1 + (3 * 0.044715 * x * x));
        return Sigmoid(v) * (1 + (x * slope * Sigmoid(-v)));
    }

    /// <summary>y·(1 − y), the derivative of sigmoid at the point where it outputs y.</summary>
    public static double SigmoidDerivativeFromOutput(double y) => y * (1 - y);

    /// <summary>1 − y², the derivative of tanh at the point where it outputs y.</summary>
    public static double TanhDerivativeFromOutput(double y) => 1 - (y * y);

    private static double GeluTanhArgument(double x) => 2 * Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x));

    /// <summary>erfc(a) for a ≥ 2: e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), by the modified Lentz method.</summary>
    internal static double ErfcContinuedFraction(double a)
    {
        if (double.IsPositiveInfinity(a) || a > 30)
        {
            return 0;
        }

        const double tiny = 1e-300;
        double f = a;
        double c = a;
        double d = 0;
        for (int j = 1; j < 5000; j++)
        {
            double aj = j * 0.5;
            d = a + (aj * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = a + (aj / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-17)
            {
                break;
            }
        }

        return Math.Exp(-a * a) / (Math.Sqrt(Math.PI) * f);
    }
}
