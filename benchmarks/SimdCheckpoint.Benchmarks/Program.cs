using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;
using SimdCheckpoint.Benchmarks;

// dotnet run -c Release --project benchmarks/SimdCheckpoint.Benchmarks -- --filter '*' --join
// (--join puts every suite in one table, so the "of FMA peak" column can use the FmaPeak row.)
IConfig config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(new GflopsColumn(), new PeakFractionColumn(), new ElementsPerNanosecondColumn(), new StoreAllRatioColumn())
    .WithOption(ConfigOptions.JoinSummary, false);
BenchmarkSwitcher.FromAssembly(typeof(GflopsColumn).Assembly).Run(args, config);
