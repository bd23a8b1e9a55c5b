using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Networks;

namespace SimdCheckpoint.Cli.Experiment;

/// <summary>
/// The three tests of the space-efficiency experiment. Every number the report shows is measured here, in this run.
/// </summary>
internal sealed class ExperimentRunner
{
    /// <summary>The schedules tests 1 and 3 compare with store-all.</summary>
    public static readonly string[] ScheduleNames = ["store-all", "sqrt", "uniform(4)", "revolve(2)", "revolve(4)", "revolve(8)", "budget(1/4)"];

    /// <summary>Test 2's depths.</summary>
    public static readonly int[] Depths = [3, 5, 8, 12, 16, 24, 32, 64, 128];

    /// <summary>Test 2's schedules.</summary>
    public static readonly string[] ScalingSchedules = ["store-all", "sqrt", "revolve(2)", "revolve(4)", "revolve(8)"];

    private const int ScalingBatch = 64;
    private const int SpeedBatch = 64;

    private readonly ExperimentResults _results;
    private readonly IExperimentProgress _progress;
    private readonly int _inputs;
    private readonly int _repeats;
    private readonly int _runs;

    public ExperimentRunner(ExperimentResults results, IExperimentProgress progress, int? runs)
    {
        _results = results;
        _progress = progress;
        _inputs = results.Quick ? 3 : 20;
        _repeats = 2;
        _runs = runs ?? (results.Quick ? 7 : 41);
    }

    /// <summary>The paths test 1 runs: every one this machine accelerates, then scalar (which every machine runs exactly).</summary>
    public static KernelPath[] IdentityPaths(bool includeScalar) =>
        [.. PathCatalog.All.Where(p => p != KernelPath.Scalar && PathCatalog.IsAccelerated(p)), .. includeScalar ? [KernelPath.Scalar] : Array.Empty<KernelPath>()];

    public void Run()
    {
        // Test 1: the mixed network on the accelerated paths and the scalar path; the deep network too, except on the
        // scalar path at batch 64, where one input's 14 backward passes and probes would take about half a minute.
        _results.PeakResident.Add(new MemoryMark("before test 1 (after the forward check)", ProcessMemory.PeakResidentBytes()));
        KernelPath[] fast = IdentityPaths(includeScalar: false);
        KernelPath[] all = IdentityPaths(includeScalar: true);
        _progress.Start("identical", "Test 1: identical results", 2 * 2 * _inputs);
        Identity<Deep32>("deep32", batch => batch == 1 ? all : fast);
        Identity<Mixed12>("mixed12", _ => all);
        _results.PeakResident.Add(new MemoryMark("after test 1", ProcessMemory.PeakResidentBytes()));

        _progress.Start("scaling", "Test 2: memory scaling", Depths.Length);
        Scaling<Depth3>();
        Scaling<Depth5>();
        Scaling<Depth8>();
        Scaling<Depth12>();
        Scaling<Depth16>();
        Scaling<Depth24>();
        Scaling<Depth32>();
        Scaling<Depth64>();
        Scaling<Depth128>();
        FitScaling();
        _results.PeakResident.Add(new MemoryMark("after test 2", ProcessMemory.PeakResidentBytes()));

        _progress.Start("speed", "Test 3: speed", ScheduleNames.Length + 1);
        Speed();
        _results.PeakResident.Add(new MemoryMark("after test 3", ProcessMemory.PeakResidentBytes()));

        string[] networks = _results.Quick ? StreamingProbe.Networks[..2] : StreamingProbe.Networks;
        _progress.Start("streaming", "Test 4: streamed weights", networks.Length);
        foreach (string network in networks)
        {
            Streaming(network);
            _progress.Advance("streaming");
        }
    }

    /// <summary>Test 4's fixed weight budget.</summary>
    public const long StreamingBudget = 64L << 20;

    /// <summary>
    /// Test 4 for one network: its seeded weights written to a packed file in a folder of this run's own, then each figure
    /// in a fresh process (VmHWM only grows): the file's read rate, and whole and streamed runs at batch 1 and 64.
    /// </summary>
    private void Streaming(string network)
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "simdcheckpoint-experiment-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        try
        {
            string file = System.IO.Path.Combine(folder, network + ".sckw");
            StreamingProbe.WritePacked(network, _results.Seed, file);
            int calls = _results.Quick ? 2 : 5;
            Probe(network, file, "read", 1, calls);
            // A dense chain at 1 and 64 rows; an encoder at 1 and 8 sequences of 128 tokens (128 and 1,024 rows).
            foreach (int batch in StreamingProbe.IsEncoder(network) ? new[] { 1, 8 } : new[] { 1, 64 })
            {
                Probe(network, file, "memory", batch, calls);
                Probe(network, file, "streamed", batch, calls);
            }
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    private void Probe(string network, string file, string mode, int batch, int calls)
    {
        string line = SelfProcess.Run(
            "stream-probe", "--network", network, "--packed", file, "--mode", mode, "--batch", batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--budget", StreamingBudget.ToString(System.Globalization.CultureInfo.InvariantCulture), "--calls", calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Dictionary<string, string> f = StreamingProbe.Parse(line);
        long L(string key) => long.Parse(f[key], System.Globalization.CultureInfo.InvariantCulture);
        _results.Streaming.Add(new StreamingRow(
            network, L("weight_bytes"), mode, batch, StreamingBudget, L("resident_before"), L("peak_after"),
            double.Parse(f["median_s"], System.Globalization.CultureInfo.InvariantCulture), (int)L("calls"), L("allocated_bytes"), f["output_digest"]));
    }

    /// <summary>The path <see cref="KernelPath.Auto"/> takes for a network on this machine.</summary>
    public static KernelPath AutoPathOf<TNetwork>()
        where TNetwork : IGeneratedNetwork<TNetwork> => TNetwork.AutoPath;

    /// <summary>The named schedule for a network at a batch, with the session's own state sizes for the budget.</summary>
    public static CheckpointSchedule Create(string name, NetworkSpec spec, int batch)
    {
        int layers = spec.Layers.Count;
        return name switch
        {
            "store-all" => CheckpointSchedule.StoreAll(layers),
            "sqrt" => CheckpointSchedule.Sqrt(layers),
            "uniform(4)" => CheckpointSchedule.Uniform(layers, 4),
            "revolve(2)" => CheckpointSchedule.Revolve(layers, 2),
            "revolve(4)" => CheckpointSchedule.Revolve(layers, 4),
            "revolve(8)" => CheckpointSchedule.Revolve(layers, 8),
            "budget(1/4)" => CheckpointSchedule.ForMemoryBudget(StateBytes(spec, batch), CheckpointSchedule.StoreAll(layers).PeakCheckpointBytes(StateBytes(spec, batch)) / 4),
            _ => throw new ArgumentException("Unknown schedule " + name, nameof(name)),
        };
    }

    /// <summary>Bytes of each state (the input, then each layer's output) as the session stores it: rows rounded up to 16 floats.</summary>
    public static long[] StateBytes(NetworkSpec spec, int batch)
    {
        long[] bytes = new long[spec.Layers.Count + 1];
        for (int i = 0; i <= spec.Layers.Count; i++)
        {
            int width = i == 0 ? spec.InputSize : spec.Layers[i - 1].Outputs;
            bytes[i] = ((((long)batch * width) + 15) / 16 * 16) * sizeof(float);
        }

        return bytes;
    }

    private void Identity<TNetwork>(string name, Func<int, KernelPath[]> pathsAt)
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        var weights = NetworkWeights<TNetwork>.FromLayers(RandomWeights.Create(spec, _results.Seed));
        foreach (int batch in new[] { 1, 64 })
        {
            KernelPath[] paths = pathsAt(batch);
            var inference = new InferenceSession<TNetwork>(weights, batch);
            var sessions = ScheduleNames.Select(s => new CheckpointSession<TNetwork>(weights, batch, Create(s, spec, batch))).ToArray();
            var tallies = new Tally[ScheduleNames.Length, paths.Length];
            for (int s = 0; s < ScheduleNames.Length; s++)
            {
                for (int p = 0; p < paths.Length; p++)
                {
                    tallies[s, p] = new Tally();
                }
            }

            var expected = new Outcome(spec, batch);
            var actual = new Outcome(spec, batch);
            for (int input = 0; input < _inputs; input++)
            {
                float[] x = new float[batch * spec.InputSize];
                new DeterministicRandom(_results.Seed + 1000 + (ulong)input).Fill(x, 1f);

                // The standard network's output, and store-all's probes and gradients, on the first path.
                inference.Forward(x, expected.PlainOutput, batch, paths[0]);
                Produce(sessions[0], x, batch, paths[0], expected);
                for (int s = 0; s < ScheduleNames.Length; s++)
                {
                    for (int p = 0; p < paths.Length; p++)
                    {
                        for (int r = 0; r < _repeats; r++)
                        {
                            inference.Forward(x, actual.PlainOutput, batch, paths[p]);
                            Produce(sessions[s], x, batch, paths[p], actual);
                            tallies[s, p].Add(expected, actual);
                        }
                    }
                }

                _progress.Advance($"{name}, batch {batch}, input {input + 1} of {_inputs}");
            }

            for (int s = 0; s < ScheduleNames.Length; s++)
            {
                for (int p = 0; p < paths.Length; p++)
                {
                    Tally t = tallies[s, p];
                    _results.Identity.Add(new IdentityRow(name, ScheduleNames[s], paths[p].ToString(), batch, _inputs, _repeats, t.Values, t.MaxAbs, t.Bits));
                }
            }
        }
    }

    /// <summary>A checkpointed forward, every layer probed from its checkpoints, then the backward pass with dW and db.</summary>
    private static void Produce<TNetwork>(CheckpointSession<TNetwork> session, float[] x, int batch, KernelPath path, Outcome into)
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        session.ForwardWithCheckpoints(x, into.Output, batch, path);
        for (int l = 0; l < into.Probes.Length; l++)
        {
            session.GetActivation(l, into.Probes[l], path);
        }

        session.Backward(x, into.InputGradient, batch, default, into.Gradients, path);
    }

    private void Scaling<TNetwork>()
        where TNetwork : IDifferentiableNetwork<TNetwork>
    {
        NetworkSpec spec = TNetwork.Spec;
        int depth = spec.Layers.Count;
        var weights = NetworkWeights<TNetwork>.FromLayers(RandomWeights.Create(spec, _results.Seed));
        float[] x = new float[ScalingBatch * spec.InputSize];
        new DeterministicRandom(_results.Seed + 7).Fill(x, 1f);
        float[] dx = new float[x.Length];

        // Inference that needs only the output: two ping-pong buffers at any depth.
        var inference = new InferenceSession<TNetwork>(weights, ScalingBatch);
        _results.Scaling.Add(new ScalingPoint(depth, "forward only", ScalingBatch, inference.ActivationBytes, 2L * StateBytes(spec, ScalingBatch)[1], 0, depth, depth));
        foreach (string name in ScalingSchedules)
        {
            var session = new CheckpointSession<TNetwork>(weights, ScalingBatch, Create(name, spec, ScalingBatch));
            BackwardStatistics measured = session.Backward(x, dx, ScalingBatch);
            BackwardStatistics predicted = session.Predict(ScalingBatch);
            long working = 2L * StateBytes(spec, ScalingBatch)[1];
            _results.Scaling.Add(new ScalingPoint(
                depth, name, ScalingBatch, measured.PeakActivationBytes, predicted.PeakActivationBytes, working, measured.ForwardEvaluations, predicted.ForwardEvaluations));
        }

        _progress.Advance($"depth {depth}");
    }

    private void FitScaling()
    {
        foreach (string schedule in new[] { "store-all", "sqrt" })
        {
            ScalingPoint[] points = [.. _results.Scaling.Where(p => p.Schedule == schedule).OrderBy(p => p.Depth)];
            double[] n = [.. points.Select(p => (double)p.Depth)];
            double[] y = [.. points.Select(p => (double)(p.MeasuredPeakBytes - p.WorkingBytes))];
            _results.Fits.Add(Fit(schedule, "sqrt(n)", n.Select(Math.Sqrt).ToArray(), y));
            _results.Fits.Add(Fit(schedule, "n", n, y));
            _results.Fits.Add(Fit(schedule, "n^2", n.Select(v => v * v).ToArray(), y));
        }
    }

    /// <summary>Least squares y ≈ a·f + b, with R² = 1 − SS_res / SS_tot.</summary>
    public static ScalingFit Fit(string schedule, string model, double[] f, double[] y)
    {
        double meanF = f.Average();
        double meanY = y.Average();
        double sff = 0, sfy = 0, syy = 0;
        for (int i = 0; i < f.Length; i++)
        {
            sff += (f[i] - meanF) * (f[i] - meanF);
            sfy += (f[i] - meanF) * (y[i] - meanY);
            syy += (y[i] - meanY) * (y[i] - meanY);
        }

        double a = sff == 0 ? 0 : sfy / sff;
        double b = meanY - (a * meanF);
        double residual = 0;
        for (int i = 0; i < f.Length; i++)
        {
            double e = y[i] - ((a * f[i]) + b);
            residual += e * e;
        }

        return new ScalingFit(schedule, model, a, b, syy == 0 ? 1 : 1 - (residual / syy));
    }

    private void Speed()
    {
        NetworkSpec spec = Deep32.Spec;
        var weights = NetworkWeights<Deep32>.FromLayers(RandomWeights.Create(spec, _results.Seed));
        float[] x = new float[SpeedBatch * spec.InputSize];
        new DeterministicRandom(_results.Seed + 3).Fill(x, 1f);
        float[] y = new float[SpeedBatch * spec.OutputSize];
        float[] dx = new float[x.Length];
        var gradients = new LayerGradients(spec);
        var inference = new InferenceSession<Deep32>(weights, SpeedBatch);
        double[] plain = Time(() => inference.Forward(x, y, SpeedBatch));
        _results.Speed.Add(Row("forward", "none (plain Forward)", plain, plain, spec.Layers.Count, inference.ActivationBytes));
        _progress.Advance("plain forward");

        double[]? forwardBase = null;
        double[]? backwardBase = null;
        foreach (string name in ScheduleNames)
        {
            var session = new CheckpointSession<Deep32>(weights, SpeedBatch, Create(name, spec, SpeedBatch));
            BackwardStatistics predicted = session.Predict(SpeedBatch);
            double[] forward = Time(() => session.ForwardWithCheckpoints(x, y, SpeedBatch));
            double[] backward = Time(() => session.Backward(x, dx, SpeedBatch, default, gradients));
            forwardBase ??= forward;
            backwardBase ??= backward;
            _results.Speed.Add(Row("forward with checkpoints", name, forward, forwardBase, spec.Layers.Count, 0));
            _results.Speed.Add(Row("backward (dX, dW, db)", name, backward, backwardBase, predicted.ForwardEvaluations, predicted.PeakActivationBytes));
            _progress.Advance(name);
        }
    }

    private static SpeedRow Row(string operation, string schedule, double[] times, double[] baseline, int forwards, long peakBytes)
    {
        double median = Percentile(times, 0.5);
        return new SpeedRow(
            operation, schedule, SpeedBatch, times.Length, median, Percentile(times, 0.25), Percentile(times, 0.75), times.Min(), times.Max(), median / Percentile(baseline, 0.5), forwards, peakBytes);
    }

    /// <summary>Milliseconds per call: a few warm-up calls (so the JIT's tiers are done), then <see cref="_runs"/> timed ones.</summary>
    private double[] Time(Action call)
    {
        for (int i = 0; i < 5; i++)
        {
            call();
        }

        double[] times = new double[_runs];
        for (int i = 0; i < _runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return times;
    }

    private static double Percentile(double[] values, double q)
    {
        double[] sorted = [.. values.Order()];
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    /// <summary>What one run of a schedule produced: forward outputs, every layer's activation, and the gradients.</summary>
    private sealed class Outcome
    {
        public Outcome(NetworkSpec spec, int batch)
        {
            PlainOutput = new float[batch * spec.OutputSize];
            Output = new float[batch * spec.OutputSize];
            Probes = [.. spec.Layers.Select(l => new float[batch * l.Outputs])];
            InputGradient = new float[batch * spec.InputSize];
            Gradients = new LayerGradients(spec);
            Layers = spec.Layers.Count;
        }

        public float[] PlainOutput { get; }

        public float[] Output { get; }

        public float[][] Probes { get; }

        public float[] InputGradient { get; }

        public LayerGradients Gradients { get; }

        public int Layers { get; }
    }

    /// <summary>The largest absolute difference and the number of differing bits, over every value compared.</summary>
    private sealed class Tally
    {
        public long Values { get; private set; }

        public double MaxAbs { get; private set; }

        public long Bits { get; private set; }

        public void Add(Outcome expected, Outcome actual)
        {
            Compare(expected.PlainOutput, actual.PlainOutput);
            Compare(expected.PlainOutput, actual.Output);
            for (int l = 0; l < expected.Layers; l++)
            {
                Compare(expected.Probes[l], actual.Probes[l]);
                Compare(expected.Gradients.Weight(l), actual.Gradients.Weight(l));
                Compare(expected.Gradients.Bias(l), actual.Gradients.Bias(l));
            }

            Compare(expected.InputGradient, actual.InputGradient);
        }

        private void Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                int xor = BitConverter.SingleToInt32Bits(expected[i]) ^ BitConverter.SingleToInt32Bits(actual[i]);
                if (xor != 0)
                {
                    Bits += BitOperations.PopCount((uint)xor);
                    double difference = Math.Abs((double)expected[i] - actual[i]);
                    MaxAbs = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(MaxAbs, difference);
                }
            }

            Values += expected.Length;
        }
    }
}

/// <summary>Where the runner reports its progress: a live display, or nothing (tests).</summary>
internal interface IExperimentProgress
{
    void Start(string key, string title, int steps);

    void Advance(string what);
}
