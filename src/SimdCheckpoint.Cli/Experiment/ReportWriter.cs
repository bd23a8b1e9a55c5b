using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>Writes report.md, results.json and the PNG plots from one run's <see cref="ExperimentResults"/>.</summary>
internal static class ReportWriter
{
    public const string ReportFile = "report.md";
    public const string ResultsFile = "results.json";
    public const string ScalingPlot = "memory-scaling.png";
    public const string TradeOffPlot = "memory-time-tradeoff.png";

    public static void Write(ExperimentResults results, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteJson(results, Path.Combine(directory, ResultsFile));
        Plots.MemoryScaling(results, Path.Combine(directory, ScalingPlot));
        Plots.TradeOff(results, Path.Combine(directory, TradeOffPlot));
        File.WriteAllText(Path.Combine(directory, ReportFile), Markdown(results));
    }

    /// <summary>True when test 1 compared something and found no differing bit.</summary>
    public static bool AllIdentical(ExperimentResults results) =>
        results.Identity.Count > 0 && results.Identity.All(r => r.DifferingBits == 0 && r.MaxAbsDifference == 0 && r.ValuesCompared > 0);

    /// <summary>True when every measured figure of test 2 equals the plan's prediction.</summary>
    public static bool AllAsPredicted(ExperimentResults results) =>
        results.Scaling.All(p => p.MeasuredPeakBytes == p.PredictedPeakBytes && p.MeasuredForwards == p.PredictedForwards);

    private static void WriteJson(ExperimentResults r, string path)
    {
        using FileStream stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("machine", r.Machine);
        w.WriteString("startedUtc", r.StartedUtc);
        w.WriteBoolean("quick", r.Quick);
        w.WriteNumber("seed", r.Seed);
        w.WriteString("autoPath", r.AutoPath);
        w.WriteNumber("seconds", Math.Round(r.Seconds, 3));
        w.WriteStartObject("processPeakResident");
        w.WriteString("source", ProcessMemory.Source);
        w.WriteStartArray("marks");
        foreach (MemoryMark mark in r.PeakResident)
        {
            w.WriteStartObject();
            w.WriteString("stage", mark.Stage);
            w.WriteNumber("bytes", mark.PeakResidentBytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("identical");
        w.WriteBoolean("allIdentical", AllIdentical(r));
        w.WriteStartArray("rows");
        foreach (IdentityRow row in r.Identity)
        {
            w.WriteStartObject();
            w.WriteString("network", row.Network);
            w.WriteString("schedule", row.Schedule);
            w.WriteString("path", row.Path);
            w.WriteNumber("batch", row.Batch);
            w.WriteNumber("inputs", row.Inputs);
            w.WriteNumber("repeats", row.Repeats);
            w.WriteNumber("valuesCompared", row.ValuesCompared);
            w.WriteNumber("maxAbsDifference", row.MaxAbsDifference);
            w.WriteNumber("differingBits", row.DifferingBits);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("memoryScaling");
        w.WriteBoolean("allAsPredicted", AllAsPredicted(r));
        w.WriteStartArray("points");
        foreach (ScalingPoint p in r.Scaling)
        {
            w.WriteStartObject();
            w.WriteNumber("depth", p.Depth);
            w.WriteString("schedule", p.Schedule);
            w.WriteNumber("batch", p.Batch);
            w.WriteNumber("measuredPeakBytes", p.MeasuredPeakBytes);
            w.WriteNumber("predictedPeakBytes", p.PredictedPeakBytes);
            w.WriteNumber("workingBytes", p.WorkingBytes);
            w.WriteNumber("measuredForwardEvaluations", p.MeasuredForwards);
            w.WriteNumber("predictedForwardEvaluations", p.PredictedForwards);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("fits");
        foreach (ScalingFit f in r.Fits)
        {
            w.WriteStartObject();
            w.WriteString("schedule", f.Schedule);
            w.WriteString("model", f.Model);
            w.WriteNumber("a", f.A);
            w.WriteNumber("b", f.B);
            w.WriteNumber("rSquared", f.RSquared);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("reduction");
        foreach ((int depth, double factor) in Reductions(r))
        {
            w.WriteStartObject();
            w.WriteNumber("depth", depth);
            w.WriteNumber("storeAllOverSqrt", factor);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("speed");
        foreach (SpeedRow s in r.Speed)
        {
            w.WriteStartObject();
            w.WriteString("operation", s.Operation);
            w.WriteString("schedule", s.Schedule);
            w.WriteNumber("batch", s.Batch);
            w.WriteNumber("runs", s.Runs);
            w.WriteNumber("medianMs", s.MedianMs);
            w.WriteNumber("p25Ms", s.P25Ms);
            w.WriteNumber("p75Ms", s.P75Ms);
            w.WriteNumber("minMs", s.MinMs);
            w.WriteNumber("maxMs", s.MaxMs);
            w.WriteNumber("relativeToStoreAll", s.RelativeToStoreAll);
            if (PredictedRelative(r, s) is double predicted)
            {
                w.WriteNumber("predictedRelativeToStoreAll", predicted);
            }

            if (Baseline(r, s) is SpeedRow baseline)
            {
                w.WriteString("baseline", $"{baseline.Operation}, {baseline.Schedule}");
                w.WriteString("versusBaseline", Compare(s, baseline).ToString().ToLowerInvariant());
            }

            w.WriteNumber("forwardEvaluations", s.ForwardEvaluations);
            w.WriteNumber("peakActivationBytes", s.PeakBytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("streaming");
        foreach (StreamingRow s in r.Streaming)
        {
            w.WriteStartObject();
            w.WriteString("network", s.Network);
            w.WriteNumber("weightBytes", s.WeightBytes);
            w.WriteString("mode", s.Mode);
            w.WriteNumber("batch", s.Batch);
            w.WriteNumber("budgetBytes", s.Budget);
            w.WriteNumber("residentBeforeBytes", s.ResidentBeforeBytes);
            w.WriteNumber("peakResidentBytes", s.PeakBytes);
            w.WriteNumber("medianSeconds", s.MedianSeconds);
            w.WriteNumber("calls", s.Calls);
            w.WriteNumber("allocatedBytesAllThreads", s.AllocatedBytes);
            w.WriteString("outputDigest", s.OutputDigest);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>True when every streamed run of test 4 gave the digest of the whole run of the same network and batch.</summary>
    public static bool StreamedIdentical(ExperimentResults results) =>
        results.Streaming
            .Where(s => s.Mode == "streamed")
            .All(s => results.Streaming.Any(m => m.Mode == "memory" && m.Network == s.Network && m.Batch == s.Batch && m.OutputDigest == s.OutputDigest));

    /// <summary>Store-all's peak over sqrt's, per depth.</summary>
    public static IEnumerable<(int Depth, double Factor)> Reductions(ExperimentResults r)
    {
        foreach (int depth in r.Scaling.Select(p => p.Depth).Distinct().Order())
        {
            ScalingPoint all = r.Scaling.Single(p => p.Depth == depth && p.Schedule == "store-all");
            ScalingPoint sqrt = r.Scaling.Single(p => p.Depth == depth && p.Schedule == "sqrt");
            yield return (depth, (double)all.MeasuredPeakBytes / sqrt.MeasuredPeakBytes);
        }
    }

    private static string Markdown(ExperimentResults r)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# SimdCheckpoint: the space-efficiency experiment");
        Line();
        Line($"Run {r.StartedUtc} on {r.Machine}; automatic path {r.AutoPath}; seed {r.Seed}; {(r.Quick ? "**quick run** (fewer inputs and timing runs)" : "full run")}; {r.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s. Every number below was measured in this run; `{ResultsFile}` holds them all.");
        Line();
        Line("## What checkpointing is for");
        Line();
        Line("Inference that needs only the output needs two activation buffers at any depth: each layer reads one and writes");
        Line("the other. `InferenceSession.Forward` does exactly that (test 2's *forward only* rows), so checkpointing buys nothing");
        Line("there. What needs the activations of many layers is the backward pass (input gradients for saliency or");
        Line("adversarial inputs, dW and db for fine-tuning) and layer probes. Keeping every activation (*store-all*, the standard");
        Line("network) costs memory linear in the depth n. The schedules keep some states and recompute the rest from the");
        Line("nearest one, bit for bit the same, since every recomputation runs the same kernels on the same bits:");
        Line();
        Line("- **store-all**: n − 1 stored states; n forward evaluations (the last layer's output is recomputed in its reverse step).");
        Line("- **uniform(k)**, **sqrt** (k = round(√n)): the first forward sweep stores every k-th state; each segment is recomputed once");
        Line("  and its states kept while it is reversed: about n/k + k states (≈ 2√n for sqrt) and at most one extra forward sweep.");
        Line("- **revolve(s)** (Griewank & Walther, ACM TOMS Algorithm 799): s slots, the input's included; with r the smallest");
        Line("  integer such that β(s, r) = C(s + r, s) ≥ n, the fewest advances are r·n − β(s + 1, r − 1), not counting the");
        Line("  forward each reverse step runs itself. Memory stays s states at any depth.");
        Line("- **budget(B)**: the fewest recomputations whose checkpoints fit B bytes, by dynamic programming over the real state sizes.");
        Line();
        Line("*Peak activation bytes* are the executor's own arena counter (`BackwardStatistics.PeakActivationBytes`): the two");
        Line("working buffers plus the checkpoint stack's high-water mark, as the session counts the bytes it holds during the");
        Line("call, compared with the plan's prediction from the schedule alone. They are not the process's memory, which also");
        Line("holds the runtime, compiled code, weights and every other session: its peak resident set is given after test 2.");
        Line();

        Line("## Test 1: identical results");
        Line();
        IdentityRow any = r.Identity.FirstOrDefault() ?? new IdentityRow("-", "-", "-", 0, 0, 0, 0, 0, 0);
        Line($"{any.Inputs} seeded inputs per network and batch, each schedule run {any.Repeats} times on every path listed, at batch 1 and 64. Each run");
        Line("produces the plain forward output, the checkpointed forward output, every layer's activation probed from the");
        Line("checkpoints, dX (for the gradient of the sum of the outputs), and every layer's dW and db; each value is compared");
        Line("with store-all's on the network's first path. Both networks run on every path this machine accelerates and on the");
        Line("scalar path, except deep32 at batch 64 on the scalar path (about half a minute per input); mixed12 has every");
        Line("activation, uneven widths and a softmax read-out. Paths this machine would only emulate are checked by");
        Line("`simdcheckpoint selfcheck` and in CI.");
        Line();
        Line("| network | schedule | paths | batch | values compared | max abs difference | differing bits |");
        Line("|---|---|---|---:|---:|---:|---:|");
        foreach (var group in r.Identity.GroupBy(x => (x.Network, x.Schedule, x.Batch)))
        {
            Line($"| {group.Key.Network} | {group.Key.Schedule} | {string.Join(", ", group.Select(x => x.Path))} | {group.Key.Batch} | {group.Sum(x => x.ValuesCompared):N0} | {group.Max(x => x.MaxAbsDifference).ToString("G3", CultureInfo.InvariantCulture)} | {group.Sum(x => x.DifferingBits):N0} |");
        }

        Line();
        Line(AllIdentical(r)
            ? $"**Every value of every schedule and path has store-all's bits**: {r.Identity.Sum(x => x.ValuesCompared):N0} values compared, 0 differing bits."
            : $"**DIFFERENCES FOUND**: {r.Identity.Sum(x => x.DifferingBits):N0} differing bits. This is a bug; please report it with `{ResultsFile}`.");
        Line();

        Line("## Test 2: memory scaling");
        Line();
        ScalingPoint first = r.Scaling.First(p => p.WorkingBytes > 0);
        Line($"Networks of width 128 (ReLU, then a linear last layer), batch {first.Batch}: each state is {(first.WorkingBytes / 2):N0} bytes, and the two");
        Line($"working buffers {first.WorkingBytes:N0} bytes. Peak activation bytes of one backward pass (dX only) by the session's arena");
        Line("counter, measured (predicted):");
        Line();
        string[] schedules = [.. r.Scaling.Select(p => p.Schedule).Distinct()];
        Line("| depth | " + string.Join(" | ", schedules) + " | store-all / sqrt |");
        Line("|---:|" + string.Concat(Enumerable.Repeat("---:|", schedules.Length + 1)));
        var reductions = Reductions(r).ToDictionary(x => x.Depth, x => x.Factor);
        foreach (int depth in r.Scaling.Select(p => p.Depth).Distinct().Order())
        {
            var cells = schedules.Select(s =>
            {
                ScalingPoint? p = r.Scaling.SingleOrDefault(x => x.Depth == depth && x.Schedule == s);
                return p is null ? "–" : $"{p.MeasuredPeakBytes:N0} ({p.PredictedPeakBytes:N0})";
            });
            Line($"| {depth} | {string.Join(" | ", cells)} | {reductions[depth].ToString("F2", CultureInfo.InvariantCulture)}× |");
        }

        Line();
        Line("Forward evaluations of the same passes, measured (predicted):");
        Line();
        string[] recomputing = [.. schedules.Where(s => s != "forward only")];
        Line("| depth | " + string.Join(" | ", recomputing) + " |");
        Line("|---:|" + string.Concat(Enumerable.Repeat("---:|", recomputing.Length)));
        foreach (int depth in r.Scaling.Select(p => p.Depth).Distinct().Order())
        {
            var cells = recomputing.Select(s =>
            {
                ScalingPoint? p = r.Scaling.SingleOrDefault(x => x.Depth == depth && x.Schedule == s);
                return p is null ? "–" : $"{p.MeasuredForwards} ({p.PredictedForwards})";
            });
            Line($"| {depth} | {string.Join(" | ", cells)} |");
        }

        Line();
        Line(AllAsPredicted(r)
            ? "Every measured peak and evaluation count equals the plan's prediction."
            : "**Some measurements differ from the prediction**: see the table; this is a bug in the planner or the executor.");
        Line();
        Line("Least-squares fits of the checkpoint bytes (peak minus the two working buffers) to a·f(n) + b:");
        Line();
        Line("| schedule | model | a | b | R² |");
        Line("|---|---|---:|---:|---:|");
        foreach (ScalingFit f in r.Fits)
        {
            Line($"| {f.Schedule} | {f.Model} | {f.A.ToString("G4", CultureInfo.InvariantCulture)} | {f.B.ToString("G4", CultureInfo.InvariantCulture)} | {f.RSquared.ToString("F4", CultureInfo.InvariantCulture)} |");
        }

        Line();
        foreach (string schedule in r.Fits.Select(f => f.Schedule).Distinct())
        {
            ScalingFit best = r.Fits.Where(f => f.Schedule == schedule).MaxBy(f => f.RSquared)!;
            Line($"- {schedule}: best fit {best.Model} (R² {best.RSquared.ToString("F4", CultureInfo.InvariantCulture)}).");
        }

        Line("- sqrt's curve is a staircase, not a smooth √n: k = round(√n) and the number of segments ⌈n/k⌉ change in steps, and");
        Line("  the stack holds the stored states plus the states of the segment being reversed (at most k − 1 of them).");
        Line("- revolve(s) holds s − 1 checkpoints besides the input (which the caller keeps), whatever the depth: its bytes are");
        Line("  constant and its forward evaluations grow instead (second table).");
        Line();
        Line($"![memory scaling]({ScalingPlot})");
        Line();
        if (r.PeakResident.Count > 0)
        {
            Line($"The process's peak resident set ({ProcessMemory.Source}), which only grows: " +
                string.Join(", ", r.PeakResident.Select(m => $"{Mib(m.PeakResidentBytes)} MiB {m.Stage}")) + ".");
            Line("It holds the .NET runtime, JIT-compiled code, every test network's weights and the sessions of all tests at once, so");
            Line("it bounds what a run needs rather than measuring one schedule: the arena counter above is the figure that moves with");
            Line("the schedule.");
            Line();
        }

        Line("## Test 3: speed");
        Line();
        SpeedRow? plain = r.Speed.FirstOrDefault(s => s.Operation == "forward");
        Line($"deep32 (32 layers of width 256), batch {plain?.Batch}, automatic path, one thread; {plain?.Runs} timed calls per row after 5 warm-up");
        Line("calls; median, interquartile range and extremes in milliseconds; ratios are of medians, to store-all's row of the same operation.");
        Line("*Beyond the spread* compares a row's interquartile range with its baseline's (store-all's backward for a backward row, the");
        Line("plain forward for a checkpointed forward): *slower* or *faster* only when the two ranges do not overlap, otherwise *within*:");
        Line("a difference of medians inside the spread is not a ranking.");
        Line();
        Line("| operation | schedule | median ms | p25–p75 ms | min–max ms | vs store-all | predicted | beyond the spread | forward evaluations | peak activation bytes (backward) |");
        Line("|---|---|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (SpeedRow s in r.Speed.OrderBy(s => s.Operation == "forward" ? 0 : s.Operation.StartsWith("forward", StringComparison.Ordinal) ? 1 : 2))
        {
            double? model = PredictedRelative(r, s);
            SpeedRow? baseline = Baseline(r, s);
            string versus = baseline is null ? "–" : Compare(s, baseline).ToString().ToLowerInvariant();
            Line($"| {s.Operation} | {s.Schedule} | {F3(s.MedianMs)} | {F3(s.P25Ms)}–{F3(s.P75Ms)} | {F3(s.MinMs)}–{F3(s.MaxMs)} | {(s.Operation == "forward" ? "–" : s.RelativeToStoreAll.ToString("F3", CultureInfo.InvariantCulture))} | {(model is null ? "–" : F3(model.Value))} | {versus} | {s.ForwardEvaluations} | {(s.PeakBytes > 0 ? s.PeakBytes.ToString("N0", CultureInfo.InvariantCulture) : "–")} |");
        }

        Line();
        foreach (string bullet in SpeedFindings(r))
        {
            Line(bullet);
        }

        Line("- Times are this machine's and vary by a few per cent between processes; the evaluation counts and bytes are the same");
        Line("  everywhere. `benchmarks/` measures the same operations with BenchmarkDotNet (`--filter '*CheckpointBenchmarks*'`).");
        Line();
        Line($"![memory versus time]({TradeOffPlot})");
        Line();
        StreamingSection(r, Line);
        return md.ToString();
    }

    /// <summary>
    /// Backward rows: (T_store-all + (F − F_store-all)·t) / T_store-all, t the plain forward's median per layer; null for
    /// the other rows.
    /// </summary>
    public static double? PredictedRelative(ExperimentResults r, SpeedRow row)
    {
        SpeedRow? plain = r.Speed.FirstOrDefault(s => s.Operation == "forward");
        SpeedRow? baseline = r.Speed.FirstOrDefault(s => s.Operation == row.Operation && s.Schedule == "store-all");
        if (!row.Operation.StartsWith("backward", StringComparison.Ordinal) || plain is null || baseline is null)
        {
            return null;
        }

        double perLayer = plain.MedianMs / plain.ForwardEvaluations;
        return (baseline.MedianMs + ((row.ForwardEvaluations - baseline.ForwardEvaluations) * perLayer)) / baseline.MedianMs;
    }

    /// <summary>How a row's interquartile range lies against its baseline's.</summary>
    public enum Spread
    {
        /// <summary>The ranges overlap: the difference of medians is within the spread.</summary>
        Within,

        /// <summary>The row's p25 is above the baseline's p75.</summary>
        Slower,

        /// <summary>The row's p75 is below the baseline's p25.</summary>
        Faster,
    }

    public static Spread Compare(SpeedRow row, SpeedRow baseline) =>
        row.P25Ms > baseline.P75Ms ? Spread.Slower : row.P75Ms < baseline.P25Ms ? Spread.Faster : Spread.Within;

    /// <summary>Store-all's backward for a backward row, the plain forward for a checkpointed forward; null for the baselines.</summary>
    public static SpeedRow? Baseline(ExperimentResults r, SpeedRow row)
    {
        SpeedRow? baseline = row.Operation.StartsWith("backward", StringComparison.Ordinal)
            ? r.Speed.FirstOrDefault(s => s.Operation == row.Operation && s.Schedule == "store-all")
            : row.Operation == "forward" ? null : r.Speed.FirstOrDefault(s => s.Operation == "forward");
        return ReferenceEquals(baseline, row) ? null : baseline;
    }

    /// <summary>
    /// What test 3 shows, said only as far as the spread allows: which differences are beyond the interquartile ranges,
    /// how the measured ratios fall against the cost model, and any checkpointed forward that came out below the plain one.
    /// </summary>
    public static IEnumerable<string> SpeedFindings(ExperimentResults r)
    {
        SpeedRow[] backward = [.. r.Speed.Where(s => s.Operation.StartsWith("backward", StringComparison.Ordinal) && s.Schedule != "store-all")];
        SpeedRow? storeAll = r.Speed.FirstOrDefault(s => s.Operation.StartsWith("backward", StringComparison.Ordinal) && s.Schedule == "store-all");
        if (storeAll is not null && backward.Length > 0)
        {
            string Names(Spread spread) => string.Join(", ", backward.Where(s => Compare(s, storeAll) == spread).Select(s => s.Schedule));
            string within = Names(Spread.Within), slower = Names(Spread.Slower), faster = Names(Spread.Faster);
            yield return "- Backward passes against store-all's: " + string.Join("; ", new[]
            {
                slower.Length > 0 ? $"slower beyond the spread: {slower}" : null,
                faster.Length > 0 ? $"faster beyond the spread: {faster} (this run measured it; no profile says why)" : null,
                within.Length > 0 ? $"within the spread, so not ranked against it: {within}" : null,
            }.Where(x => x is not null)) + ".";

            int above = 0, below = 0, inside = 0;
            foreach (SpeedRow s in backward)
            {
                double predicted = PredictedRelative(r, s) ?? s.RelativeToStoreAll;
                above += s.RelativeToStoreAll > predicted ? 1 : 0;
                below += s.RelativeToStoreAll < predicted ? 1 : 0;
                inside += predicted * storeAll.MedianMs >= s.P25Ms && predicted * storeAll.MedianMs <= s.P75Ms ? 1 : 0;
            }

            yield return "- *Predicted* is the cost model of the evaluation counts alone: a backward pass costs store-all's time plus one";
            yield return "  layer evaluation (the plain forward's median / n) per extra forward evaluation. In this run the measured ratio was";
            yield return $"  above the prediction for {above} of {backward.Length} schedules and below it for {below}; for {inside} of them the prediction lies";
            yield return "  inside the row's interquartile range (relative to store-all's median), where the difference is within the spread.";
        }

        SpeedRow? plain = r.Speed.FirstOrDefault(s => s.Operation == "forward");
        SpeedRow[] checkpointed = [.. r.Speed.Where(s => s.Operation == "forward with checkpoints")];
        if (plain is not null && checkpointed.Length > 0)
        {
            yield return "- A checkpointed forward runs the same n layers as the plain forward and copies each stored state, so it cannot be";
            yield return "  faster by its work.";
            SpeedRow[] lower = [.. checkpointed.Where(s => s.MedianMs < plain.MedianMs)];
            if (lower.Length > 0)
            {
                string within = string.Join(", ", lower.Where(s => Compare(s, plain) == Spread.Within).Select(s => s.Schedule));
                string beyond = string.Join(", ", lower.Where(s => Compare(s, plain) == Spread.Faster).Select(s => s.Schedule));
                if (within.Length > 0)
                {
                    yield return $"  Its median came out below the plain forward's for {within}, within the spread: noise, not a speed-up.";
                }

                if (beyond.Length > 0)
                {
                    yield return $"  For {beyond} it came out below the plain forward beyond the spread, which its work cannot explain: treat it as";
                    yield return "  this machine's noise between rows (another process, frequency changes) and rerun before reading anything into it.";
                }
            }
        }

        yield return "- A backward pass runs its forward evaluations plus n dX and n dW products, so recomputation adds less than its";
        yield return "  share of forward evaluations suggests.";
    }

    /// <summary>Test 4's table: each network whole and streamed, beside the file's read rate, each figure from a fresh process.</summary>
    private static void StreamingSection(ExperimentResults r, Action<string> line)
    {
        if (r.Streaming.Count == 0)
        {
            return;
        }

        line("## Test 4: weights streamed from disk within a budget");
        line("");
        line($"Dense chains and a BERT-base-sized encoder, their dense layers' seeded weights written to a packed weights file, then run in");
        line($"a fresh process each (VmHWM only grows): the file read alone (every block in order into one aligned buffer), the weights");
        line($"loaded whole (`InferenceSession`; the encoder's `EncoderSession`), and streamed with a fixed budget of {Mib(r.Streaming[0].Budget)} MiB");
        line("(`StreamingSession`; `EncoderSession.Streaming`, its embedding tables and layer norms resident, loaded from safetensors without");
        line($"the dense layers). An encoder's batch is sequences of {StreamingProbe.EncoderTokens} tokens. *Resident before* is the process's");
        line("resident set before anything was loaded; *peak* its VmHWM after the timed calls (median of the calls shown). The file was in");
        line("the page cache (written just before), so the read rate is the page cache's, not a disk's.");
        line("");
        line("| network | weights MiB | run | batch | resident before MiB | peak MiB | median ms | weights GB/s | of read rate | of whole | same bits as whole | allocated B, all threads |");
        line("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (StreamingRow s in r.Streaming)
        {
            StreamingRow? read = r.Streaming.FirstOrDefault(x => x.Network == s.Network && x.Mode == "read");
            StreamingRow? whole = r.Streaming.FirstOrDefault(x => x.Network == s.Network && x.Mode == "memory" && x.Batch == s.Batch);
            double rate = s.WeightBytes / s.MedianSeconds / 1e9;
            string ofRead = read is null || s.Mode == "read" ? "–" : (read.MedianSeconds / s.MedianSeconds).ToString("F2", CultureInfo.InvariantCulture);
            string ofWhole = whole is null || s.Mode != "streamed" ? "–" : (whole.MedianSeconds / s.MedianSeconds).ToString("F2", CultureInfo.InvariantCulture);
            string same = s.Mode != "streamed" ? "–" : whole is not null && whole.OutputDigest == s.OutputDigest ? "yes" : "NO";
            string run = s.Mode switch { "read" => "read the file", "memory" => "whole", _ => "streamed" };
            line($"| {s.Network} | {Mib(s.WeightBytes)} | {run} | {(s.Mode == "read" ? "–" : StreamingProbe.IsEncoder(s.Network) ? $"{s.Batch} × {StreamingProbe.EncoderTokens}" : s.Batch.ToString(CultureInfo.InvariantCulture))} | {Mib(s.ResidentBeforeBytes)} | {Mib(s.PeakBytes)} | {F3(s.MedianSeconds * 1000)} | {rate.ToString("F2", CultureInfo.InvariantCulture)} | {ofRead} | {ofWhole} | {same} | {(s.Mode == "read" ? "–" : s.AllocatedBytes.ToString(CultureInfo.InvariantCulture))} |");
        }

        line("");
        line("*Of read rate* is the read's time over the run's (1 = as fast as reading the file alone); *of whole* the whole run's time over");
        line("the streamed one's. docs/streaming.md explains the figures: at batch 1 the compute thread reads chunks of the next panels");
        line("itself while it would wait, so two threads read where the read alone used one; at larger batches the compute hides the read.");
        line("");
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    private static string F3(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
