// Shared with the source generator (see Activation.cs).
using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint;

/// <summary>
/// The rules a network declaration must satisfy, in one place for every way of declaring one (attributes, JSON,
/// code). The generator maps each problem to a source location; the runtime throws them.
/// </summary>
internal static class SpecRules
{
    /// <summary>The largest input or output size of one layer.</summary>
    public const int MaxDimension = 1 << 24;

    /// <summary>
    /// The most floats the packed weights of one network may take: they live in one array, and each layer's
    /// panels are padded to at most 64 columns.
    /// </summary>
    public const long MaxPackedFloats = int.MaxValue - (1 << 20);

    /// <summary>The name a layer gets when its declaration gives none.</summary>
    public static string DefaultLayerName(int index) => "dense" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Checks a whole network; an empty list means it is valid.</summary>
    public static List<SpecProblem> Validate(IReadOnlyList<DenseLayerSpec> layers)
    {
        var problems = new List<SpecProblem>();
        if (layers.Count == 0)
        {
            problems.Add(new SpecProblem(
                SpecDiagnosticIds.EmptyNetwork,
                "The network has no layers; declare at least one dense layer.",
                -1,
                SpecField.Network));
            return problems;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        long packed = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            DenseLayerSpec layer = layers[i];
            string who = Describe(layer, i);

            CheckDimension(problems, layer.Inputs, "inputs", who, i, SpecField.Inputs);
            CheckDimension(problems, layer.Outputs, "outputs", who, i, SpecField.Outputs);

            if (!ActivationNames.IsDefined((int)layer.Activation))
            {
                problems.Add(new SpecProblem(
                    SpecDiagnosticIds.UnknownActivation,
                    who + " has an unknown activation (" + ((int)layer.Activation).ToString(CultureInfo.InvariantCulture)
                        + "); use one of: " + ActivationNames.Accepted + ".",
                    i,
                    SpecField.Activation));
            }
            else if (layer.AlphaGiven && !ActivationNames.TakesAlpha(layer.Activation))
            {
                problems.Add(new SpecProblem(
                    SpecDiagnosticIds.InvalidAlpha,
                    who + " gives alpha, but only leaky_relu takes one (its activation is "
                        + ActivationNames.ToJsonName(layer.Activation) + ").",
                    i,
                    SpecField.Alpha));
            }
            else if (layer.AlphaGiven && !ActivationNames.IsFinite(layer.GivenAlpha!.Value))
            {
                problems.Add(new SpecProblem(
                    SpecDiagnosticIds.InvalidAlpha,
                    who + " has alpha " + layer.GivenAlpha!.Value.ToString("R", CultureInfo.InvariantCulture)
                        + "; it must be a finite number.",
                    i,
                    SpecField.Alpha));
            }

            string? nameProblem = CheckName(layer.Name);
            if (nameProblem is not null)
            {
                problems.Add(new SpecProblem(SpecDiagnosticIds.InvalidLayerName, who + " " + nameProblem, i, SpecField.Name));
            }
            else if (seen.TryGetValue(layer.Name, out int first))
            {
                problems.Add(new SpecProblem(
                    SpecDiagnosticIds.InvalidLayerName,
                    who + " has the same name as layer " + first.ToString(CultureInfo.InvariantCulture)
                        + "; layer names must be unique because they name the weight tensors.",
                    i,
                    SpecField.Name));
            }
            else
            {
                seen.Add(layer.Name, i);
            }

            if (i > 0)
            {
                DenseLayerSpec previous = layers[i - 1];
                if (layer.Inputs > 0 && previous.Outputs > 0 && layer.Inputs != previous.Outputs)
                {
                    problems.Add(new SpecProblem(
                        SpecDiagnosticIds.SizeMismatch,
                        who + " takes " + layer.Inputs.ToString(CultureInfo.InvariantCulture) + " inputs, but the layer before it, "
                            + Describe(previous, i - 1) + ", gives " + previous.Outputs.ToString(CultureInfo.InvariantCulture)
                            + " outputs.",
                        i,
                        SpecField.Inputs));
                }
            }

            if (layer.Inputs > 0 && layer.Outputs > 0)
            {
                long paddedOutputs = RoundUp(layer.Outputs, 64);
                packed += (layer.Inputs * paddedOutputs) + paddedOutputs + 64;
            }
        }

        if (packed > MaxPackedFloats)
        {
            problems.Add(new SpecProblem(
                SpecDiagnosticIds.NetworkTooLarge,
                "The network's packed weights would take about " + packed.ToString(CultureInfo.InvariantCulture)
                    + " floats; at most " + MaxPackedFloats.ToString(CultureInfo.InvariantCulture) + " are supported.",
                -1,
                SpecField.Network));
        }

        return problems;
    }

    /// <summary>Returns why <paramref name="name"/> cannot name a layer, or null when it can.</summary>
    public static string? CheckName(string? name)
    {
        if (name is null || name.Length == 0)
        {
            return "has an empty name.";
        }

        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return "has the name \"" + name + "\", which contains white space or a control character.";
            }
        }

        return null;
    }

    /// <summary>"layer 2 ('fc3')": how messages name a layer.</summary>
    public static string Describe(DenseLayerSpec layer, int index) =>
        "layer " + index.ToString(CultureInfo.InvariantCulture)
        + (string.IsNullOrEmpty(layer.Name) ? string.Empty : " ('" + layer.Name + "')");

    private static void CheckDimension(List<SpecProblem> problems, int value, string what, string who, int index, SpecField field)
    {
        if (value <= 0)
        {
            problems.Add(new SpecProblem(
                SpecDiagnosticIds.NonPositiveSize,
                who + " has " + what + " = " + value.ToString(CultureInfo.InvariantCulture) + "; sizes must be at least 1.",
                index,
                field));
        }
        else if (value > MaxDimension)
        {
            problems.Add(new SpecProblem(
                SpecDiagnosticIds.NetworkTooLarge,
                who + " has " + what + " = " + value.ToString(CultureInfo.InvariantCulture) + "; at most "
                    + MaxDimension.ToString(CultureInfo.InvariantCulture) + " are supported.",
                index,
                field));
        }
    }

    private static long RoundUp(long value, long multiple) => (value + multiple - 1) / multiple * multiple;
}
