using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using SimdCheckpoint.Checkpointing;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Tests.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>`simdcheckpoint grad`: dX of the run-time compiled kernels against a CheckpointSession of the build-time type.</summary>
public sealed class GradCommandTests(SharedModelCache cache) : IDisposable
{
    private readonly CliModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<string, bool> Schedules => new()
    {
        { "store-all", false },
        { "revolve:2", false },
        { "sqrt", true },
        { "revolve:2", true },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Input_gradient_is_bit_identical_to_the_build_time_type(string scheduleName, bool withOutputGradient)
    {
        string output = _files.PathOf("dx.npy");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var arguments = new GradArguments(
            _files.Model, _files.InputPath, output, withOutputGradient ? _files.OutputGradientPath : null, _files.Weights, Schedule: scheduleName, CacheDirectory: cache.Path);
        int exit = GradCommand.Run(arguments, stdout, stderr);
        Assert.True(exit == 0, stdout + "\n" + stderr);

        NpyArray dx = NpyFile.Read(output);
        Assert.Equal(CliModelFiles.InputShape, dx.Shape);
        CheckpointSchedule schedule = ScheduleChoice.Parse(scheduleName).Create(CliTiny.Spec, CliModelFiles.Batch);
        var session = new CheckpointSession<CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch, schedule);
        float[] expected = new float[_files.Input.Length];
        BackwardStatistics figures = session.Backward(_files.Input, expected, CliModelFiles.Batch, withOutputGradient ? _files.OutputGradient : default);
        Bits.Equal(expected, dx.Data, "dX");

        string text = stdout.ToString();
        Assert.Contains("every measured figure equals the planner's prediction", text, StringComparison.Ordinal);
        Assert.Equal((figures.PeakActivationBytes, figures.PeakActivationBytes), Figures(text, "peak activation bytes"));
        Assert.Equal((figures.ForwardEvaluations, figures.ForwardEvaluations), Figures(text, "forward evaluations"));
        Assert.Equal((figures.LayersReversed, figures.LayersReversed), Figures(text, "layers reversed"));
        Assert.Contains(withOutputGradient ? "dy.npy" : "all ones", text, StringComparison.Ordinal);
    }

    /// <summary>The measured and predicted columns of a figure's row.</summary>
    private static (long Measured, long Predicted) Figures(string text, string row)
    {
        Match m = Regex.Match(text, "^  " + Regex.Escape(row) + @" +([\d,]+) +([\d,]+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{row}' row in:\n{text}");
        return (long.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("outputs-by-inputs", "sqrt")]
    [InlineData("inputs-by-outputs", "revolve:1")]
    public void Weight_gradients_are_written_under_the_layer_names_in_the_weights_layout(string layoutName, string scheduleName)
    {
        WeightLayout layout = ModelOptions.ParseLayout(layoutName);
        string dw = _files.PathOf("dw.safetensors");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var arguments = new GradArguments(
            _files.Model, _files.InputPath, _files.PathOf("dx.npy"), _files.OutputGradientPath,
            layout == WeightLayout.OutputsByInputs ? _files.Weights : _files.WeightsInputsByOutputs, layoutName, scheduleName, CacheDirectory: cache.Path, WeightGradients: dw);
        int exit = GradCommand.Run(arguments, stdout, stderr);
        Assert.True(exit == 0, stdout + "\n" + stderr);
        Assert.Contains("dw.safetensors (dW and db of 4 layer(s)", stdout.ToString(), StringComparison.Ordinal);

        // The build-time type's store-all gradients: every schedule gives their bits.
        var session = new CheckpointSession<CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch, CheckpointSchedule.StoreAll(CliTiny.Spec.Layers.Count));
        var expected = new LayerGradients(CliTiny.Spec);
        session.Backward(_files.Input, new float[_files.Input.Length], CliModelFiles.Batch, _files.OutputGradient, expected);
        AssertWeightGradients(dw, expected, layout);
    }

    /// <summary>
    /// The file holds {layer}.weight and {layer}.bias for every layer and nothing else: dW in <paramref name="layout"/>
    /// ([N, K] for outputs-by-inputs) with <paramref name="expected"/>'s bits, db with its bits.
    /// </summary>
    internal static void AssertWeightGradients(string path, LayerGradients expected, WeightLayout layout)
    {
        NetworkSpec spec = expected.Spec;
        using SimdCheckpoint.Safetensors.SafetensorsReader reader = SimdCheckpoint.Safetensors.SafetensorsReader.Open(path);
        Assert.Equal(2 * spec.Layers.Count, reader.Tensors.Count);
        for (int l = 0; l < spec.Layers.Count; l++)
        {
            DenseLayerSpec layer = spec.Layers[l];
            int k = layer.Inputs, n = layer.Outputs;
            SimdCheckpoint.Safetensors.SafetensorsTensorInfo weight = reader.Tensors[layer.Name + ".weight"];
            Assert.Equal(layout == WeightLayout.OutputsByInputs ? new long[] { n, k } : [k, n], weight.Shape);
            float[] dw = new float[k * n];
            reader.ReadFloat32(weight, dw);
            float[] want = expected.Weight(l).ToArray();
            if (layout == WeightLayout.OutputsByInputs)
            {
                float[] transposed = new float[want.Length];
                for (int i = 0; i < k; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        transposed[(j * k) + i] = want[(i * n) + j];
                    }
                }

                want = transposed;
            }

            Bits.Equal(want, dw, layer.Name + ".weight");
            SimdCheckpoint.Safetensors.SafetensorsTensorInfo bias = reader.Tensors[layer.Name + ".bias"];
            Assert.Equal(new long[] { n }, bias.Shape);
            float[] db = new float[n];
            reader.ReadFloat32(bias, db);
            Bits.Equal(expected.Bias(l).ToArray(), db, layer.Name + ".bias");
        }
    }

    [Fact]
    public void Every_schedule_gives_store_all_bits_and_a_budget_is_kept()
    {
        float[]? storeAll = null;
        foreach (string schedule in new[] { "store-all", "sqrt", "uniform:3", "revolve:1", "revolve:3", "budget:1KiB", "budget:1600" })
        {
            string output = _files.PathOf("dx-" + schedule.Replace(':', '-') + ".npy");
            var stdout = new StringWriter();
            int exit = GradCommand.Run(new GradArguments(_files.Model, _files.InputPath, output, Weights: _files.Weights, Schedule: schedule, Path: "scalar", CacheDirectory: cache.Path), stdout, TextWriter.Null);
            Assert.True(exit == 0, schedule + ": " + stdout);
            float[] dx = NpyFile.Read(output).Data;
            storeAll ??= dx;
            Bits.Equal(storeAll, dx, schedule);
        }
    }
}
