using System;
using System.Linq;
using System.CommandLine;
using SimdCheckpoint.Cli.Commands;

var batch = new Option<int>("--batch") { Description = "Rows per forward pass.", DefaultValueFactory = _ => 64 };
var seed = new Option<ulong>("--seed") { Description = "Seed of the weights and inputs (SplitMix64; the same on every machine).", DefaultValueFactory = _ => 42 };
var runs = new Option<int>("--runs") { Description = "Timed calls per latency figure (the median is reported).", DefaultValueFactory = _ => 200 };

var experiment = new Command("experiment", "The main job: run the embedded deep MLP on every generated path, check its bits against the reference, and time it.")
{
    batch,
    seed,
    runs,
};

int RunExperiment(ParseResult result)
{
    int b = result.GetValue(batch);
    int r = result.GetValue(runs);
    if (b < 1 || r < 1)
    {
        Console.Error.WriteLine("--batch and --runs must be at least 1.");
        return 2;
    }

    return ExperimentCommand.Run(Console.Out, b, result.GetValue(seed), r);
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

var root = new RootCommand("SimdCheckpoint: compile-time SIMD kernels for neural networks, bitwise identical on every ISA. With no command, runs the main job (experiment).")
{
    batch,
    seed,
    runs,
};
root.Subcommands.Add(experiment);
root.Subcommands.Add(selfcheck);
root.Subcommands.Add(mathcheck);
root.SetAction(RunExperiment);
return root.Parse(args).Invoke();
