using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace SimdCheckpoint.Benchmarks;

/// <summary>
/// The time from process start to the first MiniLM-sized output (1 × 128 tokens), in a fresh process each time: ours
/// (weights read from the ONNX file and packed, a session made, one call with its JIT compilation) against ONNX
/// Runtime's (session made with every graph optimisation, one call). The parent runs each child several times, in
/// turn, and prints the medians.
/// </summary>
internal static class StartupTime
{
    public static int Compare(TextWriter output, int runs)
    {
        string folder = EncoderInference.ModelFolder();
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var times = new Dictionary<string, List<double>> { ["simdcheckpoint"] = [], ["onnxruntime"] = [] };
        for (int r = 0; r < runs; r++)
        {
            foreach (string which in times.Keys)
            {
                var start = new ProcessStartInfo(self, ["startup-child", which]) { RedirectStandardOutput = true };
                start.Environment["SIMDCHECKPOINT_MINILM"] = folder;
                using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start a child.");
                string line = child.StandardOutput.ReadToEnd().Trim();
                child.WaitForExit();
                if (child.ExitCode != 0 || !double.TryParse(line, System.Globalization.CultureInfo.InvariantCulture, out double ms))
                {
                    throw new InvalidOperationException($"The {which} child failed (exit {child.ExitCode}): {line}");
                }

                times[which].Add(ms);
            }
        }

        output.WriteLine($"Process start to the first 1 x 128 MiniLM-sized output, {runs} fresh processes each (median, min-max):");
        foreach ((string which, List<double> t) in times)
        {
            t.Sort();
            output.WriteLine($"  {which,-15} {t[t.Count / 2],8:F0} ms  ({t[0]:F0}-{t[^1]:F0})");
        }

        return 0;
    }

    public static int Child(string which, TextWriter output)
    {
        string folder = Environment.GetEnvironmentVariable("SIMDCHECKPOINT_MINILM")!;
        int batch = 1, tokens = 128, hidden = MiniLm.Spec.Encoder!.Hidden;
        int[] ids = Enumerable.Range(0, tokens).Select(i => 1 + (i * 7919 % 30521)).ToArray();
        int[] mask = Enumerable.Repeat(1, tokens).ToArray();
        int[] types = new int[tokens];
        float first;
        if (which == "simdcheckpoint")
        {
            EncoderWeights<MiniLm> weights = EncoderWeights<MiniLm>.FromOnnx(Path.Combine(folder, "minilm.op17.onnx"));
            using var session = new EncoderSession<MiniLm>(weights, batch, tokens);
            var last = new float[tokens * hidden];
            var pooled = new float[hidden];
            session.Run(ids, mask, types, batch, tokens, last, pooled);
            first = last[0];
        }
        else
        {
            using var runner = new EncoderOnnxRunner(Path.Combine(folder, "minilm.op17.onnx"), ids, mask, types, batch, tokens, hidden);
            runner.Run();
            first = runner.LastHiddenState[0];
        }

        double ms = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        output.WriteLine(ms.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        return float.IsFinite(first) ? 0 : 1;
    }
}
