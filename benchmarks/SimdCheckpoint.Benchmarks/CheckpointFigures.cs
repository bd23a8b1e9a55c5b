using System.IO;
using SimdCheckpoint.Checkpointing;

namespace SimdCheckpoint.Benchmarks;

/// <summary>Prints, for each schedule of <see cref="CheckpointBenchmarks"/>, what one backward pass measured next to the plan's prediction.</summary>
public static class CheckpointFigures
{
    private static readonly string[] Schedules = ["store-all", "sqrt", "uniform(4)", "revolve(2)", "revolve(4)", "revolve(8)", "budget(1/4)"];

    public static void Print(TextWriter output)
    {
        const int batch = CheckpointBenchmarks.Batch;
        var weights = NetworkWeights<Deep32>.FromLayers(RandomWeights.Create(Deep32.Spec, seed: 42));
        float[] input = new float[batch * 256];
        new DeterministicRandom(7).Fill(input, 1f);
        float[] dx = new float[input.Length];
        output.WriteLine($"deep32 (32 layers, width 256), batch {batch}: one backward pass per schedule, measured (predicted)");
        output.WriteLine("| schedule | peak activation bytes | advances | reverse-step forwards | forward evaluations | checkpoints |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (string name in Schedules)
        {
            CheckpointSchedule schedule = CheckpointBenchmarks.Create(name);
            var session = new CheckpointSession<Deep32>(weights, batch, schedule);
            BackwardStatistics p = session.Predict(batch);
            BackwardStatistics m = session.Backward(input, dx, batch);
            output.WriteLine($"| {schedule.Name} | {m.PeakActivationBytes:N0} ({p.PeakActivationBytes:N0}) | {m.Advances} ({p.Advances}) | {m.ReverseForwards} ({p.ReverseForwards}) | {m.ForwardEvaluations} ({p.ForwardEvaluations}) | {schedule.MaxCheckpoints} |");
        }
    }
}
