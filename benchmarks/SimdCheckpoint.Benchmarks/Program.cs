using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using SimdCheckpoint.Benchmarks;

// dotnet run -c Release --project benchmarks/SimdCheckpoint.Benchmarks -- --filter '*' --join
// (--join puts every suite in one table, so the "of FMA peak" column can use the FmaPeak row.)
IConfig config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(new GflopsColumn(), new TokensPerSecondColumn(), new PeakFractionColumn(), new WeightStreamColumn(), new ElementsPerNanosecondColumn(), new StoreAllRatioColumn())
    .WithOption(ConfigOptions.JoinSummary, false)
    // BenchmarkDotNet builds each suite's own project; on a 2-core machine that took longer than its 2-minute default.
    .WithBuildTimeout(System.TimeSpan.FromMinutes(10));
if (args is ["figures"])
{
    // The checkpoint schedules' memory and evaluation figures on deep32 at batch 64: measured by a call, and predicted.
    CheckpointFigures.Print(System.Console.Out);
    return 0;
}

if (args is ["startup", ..])
{
    // Process start to the first MiniLM-sized output, ours against ONNX Runtime's, each in fresh processes.
    return StartupTime.Compare(System.Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

if (args is ["paired", ..])
{
    // The encoder against ONNX Runtime as pairs of calls in one process (EncoderPaired): per-pair ratios with a 95 % CI.
    double seconds = 20;
    if (args.Length > 2 || (args.Length == 2 && (!double.TryParse(args[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out seconds) || !(seconds > 0 && seconds <= 3600))))
    {
        System.Console.Error.WriteLine("usage: paired [SECONDS]   (seconds of pairs per shape and way, more than 0 and at most 3600; default 20)");
        return 2;
    }

    return EncoderPaired.Run(System.Console.Out, seconds);
}

if (args is ["ortprofile", ..])
{
    // ONNX Runtime's profile of its optimised MiniLM graph: kernel time by operator.
    int[] values = [1, 128, 50];
    bool valid = args.Length <= 4;
    for (int i = 1; valid && i < args.Length; i++)
    {
        valid = int.TryParse(args[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out values[i - 1]);
    }

    int maxTokens = MiniLm.Spec.Encoder!.Positions;
    if (!valid || values[0] is < 1 or > 64 || values[1] < 1 || values[1] > maxTokens || values[2] is < 2 or > 10000)
    {
        System.Console.Error.WriteLine($"usage: ortprofile [BATCH [TOKENS [CALLS]]]   (batch 1-64, tokens 1-{maxTokens}, calls 2-10000; default 1 128 50)");
        return 2;
    }

    return EncoderPaired.ProfileOnnxRuntime(System.Console.Out, values[0], values[1], values[2]);
}

if (args is ["startup-child", string which])
{
    return StartupTime.Child(which, System.Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
return 0;
