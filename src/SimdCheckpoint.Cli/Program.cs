using System;
using System.CommandLine;
using System.Linq;
using SimdCheckpoint.Cli.Commands;

var batch = new Option<int>("--batch") { Description = "Rows of the forward check on every path.", DefaultValueFactory = _ => 64 };
var seed = new Option<ulong>("--seed") { Description = "Seed of the weights and inputs (SplitMix64; the same on every machine).", DefaultValueFactory = _ => 42 };
var runs = new Option<int?>("--runs") { Description = "Timed calls per latency figure and per speed-test row (the median is reported); default 200 for the forward check, 41 (quick: 7) for test 3." };
var quick = new Option<bool>("--quick") { Description = "A short run (3 inputs per network in test 1, 7 timed calls per row in test 3), for a first look and for tests." };
var outDirectory = new Option<string>("--out") { Description = "Where report.md, results.json and the plots go.", DefaultValueFactory = _ => "experiment-results" };

var experiment = new Command("experiment", "The main job: check the embedded deep MLP on every generated path against the reference, then run the space-efficiency experiment (identical results, memory scaling, speed) and write its report.")
{
    batch,
    seed,
    runs,
    quick,
    outDirectory,
};

int RunExperiment(ParseResult result)
{
    int b = result.GetValue(batch);
    int? r = result.GetValue(runs);
    if (b < 1 || r < 1)
    {
        Console.Error.WriteLine("--batch and --runs must be at least 1.");
        return 2;
    }

    return ExperimentCommand.Run(Console.Out, b, result.GetValue(seed), r, result.GetValue(quick), result.GetValue(outDirectory)!);
}

experiment.SetAction(RunExperiment);

var json = new Option<string?>("--json") { Description = "Also write the results, and the digest, to this JSON file." };
var selfcheck = new Command("selfcheck", "Run every generated path over fixed networks and seeds, compare each layer with the scalar reference bit for bit, and print a digest to compare across machines.")
{
    json,
};
selfcheck.SetAction(result => SelfCheckCommand.Run(Console.Out, result.GetValue(json)));

var function = new Option<string[]>("--function", "-f") { Description = "Only these functions (repeatable); default: all. Names: " + string.Join(", ", SimdCheckpoint.Numerics.CanonicalFunction.All.Select(f => f.Name)) + "." };
var stride = new Option<long>("--stride") { Description = "Scan every stride-th bit pattern instead of all 2^32 (1 = all).", DefaultValueFactory = _ => 1 };
var threads = new Option<int>("--threads") { Description = "Worker threads (default: every core).", DefaultValueFactory = _ => 0 };
var mathJson = new Option<string?>("--json") { Description = "Also write the results to this JSON file." };
var mathcheck = new Command("mathcheck", "Measure each canonical function's error in ulps over every binary32 input against a double-precision reference, and check that every vector width gives the scalar bits.")
{
    function,
    stride,
    threads,
    mathJson,
};
mathcheck.SetAction(result =>
{
    long s = result.GetValue(stride);
    if (s < 1 || s > uint.MaxValue)
    {
        Console.Error.WriteLine("--stride must be between 1 and 2^32 - 1.");
        return 2;
    }

    return MathCheckCommand.Run(Console.Out, result.GetValue(function) ?? [], s, result.GetValue(threads), result.GetValue(mathJson));
});

var benchQuick = new Option<bool>("--quick") { Description = "Fewer calls per figure (a few seconds in all)." };
var bench = new Command("bench", "Time the generated kernels on the mnist, deep and wide models at batch 1 and 64, on one and two threads: µs, samples/s, GFLOP/s against this core's FMA peak.")
{
    benchQuick,
};
bench.SetAction(result => BenchCommand.Run(Console.Out, result.GetValue(benchQuick)));

var root = new RootCommand("SimdCheckpoint: compile-time SIMD kernels for neural networks, bitwise identical on every ISA. With no command, runs the main job (experiment).")
{
    batch,
    seed,
    runs,
    quick,
    outDirectory,
};
root.Subcommands.Add(experiment);
root.Subcommands.Add(selfcheck);
root.Subcommands.Add(mathcheck);
root.Subcommands.Add(bench);
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(EmbedCommand.Create());
root.Subcommands.Add(GradCommand.Create());
root.Subcommands.Add(InspectCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(PackCommand.Create());
root.Subcommands.Add(SimdCheckpoint.Cli.Experiment.StreamingProbe.CreateCommand());
CommandLineInvocation.AddHelpCommand(root);
root.SetAction(RunExperiment);
return CommandLineInvocation.Invoke(root, args, Console.Out, Console.Error);
