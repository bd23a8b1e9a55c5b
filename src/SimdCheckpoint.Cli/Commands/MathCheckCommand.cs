using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using SimdCheckpoint.Numerics;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// Scans canonical functions over all 2^32 binary32 inputs (or every stride-th one): the scalar form's error in ulps
/// against a double-precision reference, and whether every vector width gives the scalar bits. Exit code 0 only if
/// no width differs and every result agrees with the reference in kind (NaN, infinite, finite).
/// </summary>
internal static class MathCheckCommand
{
    public static int Run(TextWriter output, IReadOnlyList<string> names, long stride, int threads, string? jsonPath)
    {
        var functions = new List<CanonicalFunction>();
        foreach (string name in names)
        {
            CanonicalFunction? f = CanonicalFunction.Find(name);
            if (f is null)
            {
                Console.Error.WriteLine($"Unknown function '{name}'. Known: {string.Join(", ", CanonicalFunction.All.Select(c => c.Name))}.");
                return 2;
            }

            functions.Add(f);
        }

        if (functions.Count == 0)
        {
            functions.AddRange(CanonicalFunction.All);
        }

        long count = ((1L << 32) + stride - 1) / stride;
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        output.WriteLine("SimdCheckpoint mathcheck: canonical functions against a double-precision reference, and every width against the scalar bits.");
        output.WriteLine($"  machine   {MachineInfo.Describe()}");
        output.WriteLine($"  inputs    {(stride == 1 ? "all 2^32 binary32 bit patterns" : $"every {stride.ToString(CultureInfo.InvariantCulture)}th binary32 bit pattern")} ({count:N0} per function), {threads} threads");
        output.WriteLine("  widths    scalar, Vector128, Vector256, Vector512 (each compared bit for bit; a width this machine does not accelerate runs in software)");
        output.WriteLine("  ulp       of the exact value's binade, 2^-149 below the normal range");
        output.WriteLine();
        output.WriteLine($"  {"function",-21} {"max ulp",9}  {"at x",-16} {"max abs error",13}  {"at x",-16} {">1 ulp",12} {"widths",9} {"kinds",7} {"time",8}");
        var reports = new List<AccuracyReport>();
        bool ok = true;
        foreach (CanonicalFunction f in functions)
        {
            AccuracyReport r = f.Scan(0, count, stride, threads);
            reports.Add(r);
            ok &= r.WidthMismatches == 0 && r.ReferenceMismatches == 0;
            output.WriteLine(
                $"  {r.Function,-21} {r.MaxUlp,9:F3}  {Describe(r.MaxUlpInput),-16} {r.MaxAbsoluteError,13:E2}  {Describe(r.MaxAbsoluteInput),-16} {r.OverOneUlp,12:N0} {Verdict(r.WidthMismatches, r.FirstWidthMismatch),9} {Verdict(r.ReferenceMismatches, r.FirstReferenceMismatch),7} {r.Elapsed.TotalSeconds,7:F1}s");
        }

        output.WriteLine();
        output.WriteLine("  widths: inputs where a vector width differs from the scalar bits; kinds: results NaN, infinite or finite where the reference is not.");
        output.WriteLine(ok ? "  result    OK: every width gives the scalar bits and every result agrees with the reference in kind." : "  result    FAILED: see the columns above.");
        foreach (AccuracyReport r in reports.Where(r => r.WidthMismatches > 0 || r.ReferenceMismatches > 0))
        {
            output.WriteLine($"  {r.Function}: first width mismatch at {Describe(r.FirstWidthMismatch)}, first kind mismatch at {Describe(r.FirstReferenceMismatch)}");
        }

        if (jsonPath is not null)
        {
            WriteJson(jsonPath, reports, stride, threads, ok);
            output.WriteLine($"  json      {jsonPath}");
        }

        return ok ? 0 : 1;
    }

    private static string Verdict(long mismatches, float? first) => mismatches == 0 ? "same" : mismatches.ToString("N0", CultureInfo.InvariantCulture);

    private static string Describe(float? x) => x is float v ? v.ToString("G9", CultureInfo.InvariantCulture) : "-";

    private static void WriteJson(string path, List<AccuracyReport> reports, long stride, int threads, bool ok)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("machine", MachineInfo.Describe());
        writer.WriteNumber("stride", stride);
        writer.WriteNumber("threads", threads);
        writer.WriteBoolean("ok", ok);
        writer.WriteStartArray("functions");
        foreach (AccuracyReport r in reports)
        {
            writer.WriteStartObject();
            writer.WriteString("name", r.Function);
            writer.WriteNumber("inputs", r.Inputs);
            writer.WriteNumber("measured", r.Measured);
            writer.WriteNumber("maxUlp", r.MaxUlp);
            writer.WriteNumber("maxUlpAt", r.MaxUlpInput);
            writer.WriteNumber("maxAbsoluteError", r.MaxAbsoluteError);
            writer.WriteNumber("maxAbsoluteAt", r.MaxAbsoluteInput);
            writer.WriteNumber("overOneUlp", r.OverOneUlp);
            writer.WriteNumber("widthMismatches", r.WidthMismatches);
            writer.WriteNumber("referenceMismatches", r.ReferenceMismatches);
            writer.WriteNumber("seconds", r.Elapsed.TotalSeconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
