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

if (args is ["startup-child", string which])
{
    return StartupTime.Child(which, System.Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
return 0;
