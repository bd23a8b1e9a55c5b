using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;

namespace SimdCheckpoint.Numerics;

/// <summary>
/// The accuracy scan behind <see cref="CanonicalFunction.Scan"/>: the scalar form against a double-precision reference,
/// and every vector width against the scalar bits, over a set of binary32 bit patterns split across threads.
/// </summary>
internal static class AccuracyScan
{
    private const int Block = 16;
    private const long ChunkInputs = 1 << 16;

    public static AccuracyReport Run<TFunction>(
        string name, Func<double, double> reference, long first, long count, long stride, int threads, CancellationToken cancellation, IProgress<long>? progress)
        where TFunction : IUnaryFunction
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var watch = Stopwatch.StartNew();
        long chunks = (count + ChunkInputs - 1) / ChunkInputs;
        var total = new Tally();
        object gate = new();
        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation };
        Parallel.For(
            0L,
            chunks,
            options,
            () => new Tally(),
            (chunk, _, tally) =>
            {
                long start = chunk * ChunkInputs;
                long end = Math.Min(count, start + ChunkInputs);
                ScanChunk<TFunction>(reference, first, stride, start, end, tally);
                long finished = Interlocked.Add(ref done, end - start);
                progress?.Report(finished);
                return tally;
            },
            tally =>
            {
                lock (gate)
                {
                    total.Merge(tally);
                }
            });

        return new AccuracyReport(
            name, count, total.Measured, total.MaxUlp, total.MaxUlpInput, total.MaxAbsolute, total.MaxAbsoluteInput, total.OverOneUlp,
            total.ReferenceMismatches, total.FirstReferenceMismatch, total.WidthMismatches, total.FirstWidthMismatch, watch.Elapsed);
    }

    private static void ScanChunk<TFunction>(Func<double, double> reference, long first, long stride, long start, long end, Tally tally)
        where TFunction : IUnaryFunction
    {
        Span<float> x = stackalloc float[Block];
        Span<float> y = stackalloc float[Block];
        Span<float> wide = stackalloc float[Block];
        for (long i = start; i < end; i += Block)
        {
            int n = (int)Math.Min(Block, end - i);
            for (int j = 0; j < Block; j++)
            {
                // Past the end of the range the block is padded with the last input, which is then not counted twice.
                long index = i + Math.Min(j, n - 1);
                x[j] = BitConverter.Int32BitsToSingle(unchecked((int)(uint)(first + (index * stride))));
                y[j] = TFunction.Invoke<ScalarOps, float>(x[j]);
            }

            for (int j = 0; j < n; j++)
            {
                tally.Measure(x[j], y[j], reference(x[j]));
            }

            TFunction.Invoke<Vector512Ops, Vector512<float>>(Vector512.Create((ReadOnlySpan<float>)x)).CopyTo(wide);
            CompareWidth(x, y, wide, n, tally);
            for (int h = 0; h < Block; h += 8)
            {
                TFunction.Invoke<Vector256Ops, Vector256<float>>(Vector256.Create((ReadOnlySpan<float>)x.Slice(h, 8))).CopyTo(wide.Slice(h, 8));
            }

            CompareWidth(x, y, wide, n, tally);
            for (int q = 0; q < Block; q += 4)
            {
                TFunction.Invoke<Vector128Ops, Vector128<float>>(Vector128.Create((ReadOnlySpan<float>)x.Slice(q, 4))).CopyTo(wide.Slice(q, 4));
            }

            CompareWidth(x, y, wide, n, tally);
        }
    }

    private static void CompareWidth(ReadOnlySpan<float> x, ReadOnlySpan<float> scalar, ReadOnlySpan<float> wide, int n, Tally tally)
    {
        for (int j = 0; j < n; j++)
        {
            bool same = float.IsNaN(scalar[j])
                ? float.IsNaN(wide[j])
                : BitConverter.SingleToInt32Bits(scalar[j]) == BitConverter.SingleToInt32Bits(wide[j]);
            if (!same)
            {
                tally.WidthMismatch(x[j]);
            }
        }
    }

    /// <summary>One ulp of the exact value's binade (2^-149 below the normal range).</summary>
    internal static double UlpOf(double exact)
    {
        int exponent = Math.Max(Math.ILogB(exact), -126);
        return Math.ScaleB(1.0, exponent - 23);
    }

    private sealed class Tally
    {
        public long Measured { get; private set; }

        public double MaxUlp { get; private set; }

        public float MaxUlpInput { get; private set; }

        public double MaxAbsolute { get; private set; }

        public float MaxAbsoluteInput { get; private set; }

        public long OverOneUlp { get; private set; }

        public long ReferenceMismatches { get; private set; }

        public float? FirstReferenceMismatch { get; private set; }

        public long WidthMismatches { get; private set; }

        public float? FirstWidthMismatch { get; private set; }

        public void Measure(float x, float y, double exact)
        {
            if (double.IsNaN(exact) || float.IsNaN(y))
            {
                if (!(double.IsNaN(exact) && float.IsNaN(y)))
                {
                    ReferenceMismatch(x);
                }

                return;
            }

            // Beyond the largest float (by more than half an ulp of it) the correctly rounded result is an infinity.
            if (Math.Abs(exact) >= 3.4028235677973366e38)
            {
                if (!(float.IsInfinity(y) && Math.Sign(y) == Math.Sign(exact)))
                {
                    ReferenceMismatch(x);
                }

                return;
            }

            if (float.IsInfinity(y))
            {
                ReferenceMismatch(x);
                return;
            }

            double absolute = Math.Abs(y - exact);
            double ulps = absolute / UlpOf(exact);
            Measured++;
            if (ulps > 1)
            {
                OverOneUlp++;
            }

            if (ulps > MaxUlp)
            {
                MaxUlp = ulps;
                MaxUlpInput = x;
            }

            if (absolute > MaxAbsolute)
            {
                MaxAbsolute = absolute;
                MaxAbsoluteInput = x;
            }
        }

        public void WidthMismatch(float x)
        {
            WidthMismatches++;
            FirstWidthMismatch ??= x;
        }

        public void Merge(Tally other)
        {
            Measured += other.Measured;
            OverOneUlp += other.OverOneUlp;
            if (other.MaxUlp > MaxUlp)
            {
                MaxUlp = other.MaxUlp;
                MaxUlpInput = other.MaxUlpInput;
            }

            if (other.MaxAbsolute > MaxAbsolute)
            {
                MaxAbsolute = other.MaxAbsolute;
                MaxAbsoluteInput = other.MaxAbsoluteInput;
            }

            ReferenceMismatches += other.ReferenceMismatches;
            FirstReferenceMismatch ??= other.FirstReferenceMismatch;
            WidthMismatches += other.WidthMismatches;
            FirstWidthMismatch ??= other.FirstWidthMismatch;
        }

        private void ReferenceMismatch(float x)
        {
            ReferenceMismatches++;
            FirstReferenceMismatch ??= x;
        }
    }
}
