// Shared with the source generator (see ../Activation.cs).
using System;
using System.Collections.Generic;
using System.Globalization;

namespace SimdCheckpoint.Json;

/// <summary>A problem found in a JSON spec, with the character span it is about.</summary>
internal sealed class LocatedSpecProblem : IEquatable<LocatedSpecProblem>
{
    public LocatedSpecProblem(SpecProblem problem, int start, int length)
    {
        Problem = problem;
        Start = start;
        Length = length;
    }

    public SpecProblem Problem { get; }

    public int Start { get; }

    public int Length { get; }

    public bool Equals(LocatedSpecProblem? other) =>
        other is not null && Problem.Equals(other.Problem) && Start == other.Start && Length == other.Length;

    public override bool Equals(object? obj) => Equals(obj as LocatedSpecProblem);

    public override int GetHashCode() => SpecHash.Combine(Problem.GetHashCode(), Start, Length);
}

/// <summary>The outcome of reading a JSON spec: a network, or the problems that prevent one.</summary>
internal sealed class JsonSpecReadResult
{
    public JsonSpecReadResult(NetworkSpec? spec, List<LocatedSpecProblem> problems)
    {
        Spec = spec;
        Problems = problems;
    }

    public NetworkSpec? Spec { get; }

    public List<LocatedSpecProblem> Problems { get; }
}

/// <summary>
/// Reads the JSON form of a network spec:
/// <code>
/// { "name": "mnist",
///   "layers": [ { "name": "fc1", "inputs": 784, "outputs": 256, "activation": "relu" },
///               { "outputs": 10 } ] }
/// </code>
/// <c>inputs</c> is required on the first layer and, when present on a later one, must equal the previous
/// layer's <c>outputs</c>. Unknown properties are errors, so a misspelt key is never silently ignored.
/// </summary>
internal static class JsonSpecReader
{
    private static readonly string[] NetworkProperties = { "$schema", "name", "description", "layers" };
    private static readonly string[] LayerProperties = { "name", "description", "inputs", "outputs", "activation", "alpha" };

    public static JsonSpecReadResult Read(string text, string defaultName)
    {
        var problems = new List<LocatedSpecProblem>();
        JsonNode root;
        try
        {
            root = JsonLite.Parse(text);
        }
        catch (JsonSyntaxException e)
        {
            int start = Math.Min(e.Position, text.Length);
            problems.Add(new LocatedSpecProblem(
                new SpecProblem(SpecDiagnosticIds.MalformedJson, "The file is not valid JSON: " + e.Message, -1, SpecField.Network),
                start,
                start < text.Length ? 1 : 0));
            return new JsonSpecReadResult(null, problems);
        }

        if (root.Kind != JsonKind.Object)
        {
            Schema(problems, root, -1, SpecField.Network, "The spec must be a JSON object with a \"layers\" array, not " + JsonNode.Describe(root.Kind) + ".");
            return new JsonSpecReadResult(null, problems);
        }

        Dictionary<string, JsonNode> members = Members(problems, root, NetworkProperties, "the network", -1);
        string name = defaultName;
        if (members.TryGetValue("name", out JsonNode? nameNode))
        {
            if (nameNode.Kind == JsonKind.String && nameNode.Text.Length > 0)
            {
                name = nameNode.Text;
            }
            else
            {
                Schema(problems, nameNode, -1, SpecField.Network, "\"name\" must be a non-empty string.");
            }
        }

        if (!members.TryGetValue("layers", out JsonNode? layersNode))
        {
            Schema(problems, root, -1, SpecField.Network, "The spec has no \"layers\" array.");
            return new JsonSpecReadResult(null, problems);
        }

        if (layersNode.Kind != JsonKind.Array)
        {
            Schema(problems, layersNode, -1, SpecField.Network, "\"layers\" must be an array of layer objects, not " + JsonNode.Describe(layersNode.Kind) + ".");
            return new JsonSpecReadResult(null, problems);
        }

        var layers = new List<DenseLayerSpec>();
        var spans = new List<Dictionary<SpecField, JsonNode>>();
        for (int i = 0; i < layersNode.Items.Count; i++)
        {
            JsonNode item = layersNode.Items[i];
            var layerSpans = new Dictionary<SpecField, JsonNode> { [SpecField.Network] = item };
            spans.Add(layerSpans);
            string where = "layer " + i.ToString(CultureInfo.InvariantCulture);
            if (item.Kind != JsonKind.Object)
            {
                Schema(problems, item, i, SpecField.Network, where + " must be an object, not " + JsonNode.Describe(item.Kind) + ".");
                continue;
            }

            Dictionary<string, JsonNode> m = Members(problems, item, LayerProperties, where, i);
            string layerName = SpecRules.DefaultLayerName(i);
            if (m.TryGetValue("name", out JsonNode? n))
            {
                layerSpans[SpecField.Name] = n;
                if (n.Kind == JsonKind.String)
                {
                    layerName = n.Text;
                }
                else
                {
                    Schema(problems, n, i, SpecField.Name, where + ": \"name\" must be a string.");
                }
            }

            int? inputs = ReadInt(problems, m, "inputs", i, SpecField.Inputs, layerSpans, where);
            int? outputs = ReadInt(problems, m, "outputs", i, SpecField.Outputs, layerSpans, where);
            if (!m.ContainsKey("outputs"))
            {
                Schema(problems, item, i, SpecField.Outputs, where + " has no \"outputs\".");
            }

            if (inputs is null && i == 0 && !m.ContainsKey("inputs"))
            {
                Schema(problems, item, i, SpecField.Inputs, "The first layer must give \"inputs\", the size of the network's input.");
            }

            Activation activation = Activation.Identity;
            if (m.TryGetValue("activation", out JsonNode? a))
            {
                layerSpans[SpecField.Activation] = a;
                if (a.Kind != JsonKind.String)
                {
                    Schema(problems, a, i, SpecField.Activation, where + ": \"activation\" must be a string.");
                }
                else if (!ActivationNames.TryParse(a.Text, out activation))
                {
                    problems.Add(new LocatedSpecProblem(
                        new SpecProblem(
                            SpecDiagnosticIds.UnknownActivation,
                            where + " has the unknown activation \"" + a.Text + "\"; use one of: " + ActivationNames.Accepted + ".",
                            i,
                            SpecField.Activation),
                        a.Start,
                        a.Length));
                }
            }

            float? alpha = null;
            if (m.TryGetValue("alpha", out JsonNode? al))
            {
                layerSpans[SpecField.Alpha] = al;
                if (al.Kind == JsonKind.Number)
                {
                    // The decimal value rounded once to the nearest binary32, as C# rounds the literal 0.01f (parsing
                    // to double first would round twice). Out of range is infinity, which the rules then reject.
                    alpha = ParseFloat(al.Text);
                }
                else
                {
                    Schema(problems, al, i, SpecField.Alpha, where + ": \"alpha\" must be a number.");
                }
            }

            // A later layer without "inputs" takes the previous layer's outputs.
            int resolvedInputs = inputs ?? (layers.Count > 0 ? layers[layers.Count - 1].Outputs : 0);
            layers.Add(new DenseLayerSpec(layerName, resolvedInputs, outputs ?? 0, activation, alpha));
        }

        if (problems.Count > 0)
        {
            return new JsonSpecReadResult(null, problems);
        }

        foreach (SpecProblem p in SpecRules.Validate(layers))
        {
            JsonNode at = root;
            if (p.LayerIndex < 0)
            {
                at = p.Field == SpecField.Network && layersNode.Items.Count == 0 ? layersNode : root;
            }
            else if (!spans[p.LayerIndex].TryGetValue(p.Field, out at!))
            {
                at = spans[p.LayerIndex][SpecField.Network];
            }

            problems.Add(new LocatedSpecProblem(p, at.Start, at.Length));
        }

        return new JsonSpecReadResult(problems.Count == 0 ? new NetworkSpec(name, layers) : null, problems);
    }

    private static Dictionary<string, JsonNode> Members(List<LocatedSpecProblem> problems, JsonNode obj, string[] allowed, string where, int layer)
    {
        var result = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (KeyValuePair<JsonNode, JsonNode> member in obj.Members)
        {
            string key = member.Key.Text;
            if (Array.IndexOf(allowed, key) < 0)
            {
                Schema(problems, member.Key, layer, SpecField.Network, where + " has the unknown property \"" + key + "\"; allowed: " + string.Join(", ", allowed) + ".");
            }
            else if (result.ContainsKey(key))
            {
                Schema(problems, member.Key, layer, SpecField.Network, where + " gives \"" + key + "\" twice.");
            }
            else
            {
                result.Add(key, member.Value);
            }
        }

        return result;
    }

    private static int? ReadInt(
        List<LocatedSpecProblem> problems,
        Dictionary<string, JsonNode> members,
        string key,
        int layer,
        SpecField field,
        Dictionary<SpecField, JsonNode> spans,
        string where)
    {
        if (!members.TryGetValue(key, out JsonNode? node))
        {
            return null;
        }

        spans[field] = node;
        if (node.Kind == JsonKind.Number
            && node.Text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0
            && int.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        Schema(problems, node, layer, field, where + ": \"" + key + "\" must be an integer, not " + (node.Kind == JsonKind.Number ? node.Text : JsonNode.Describe(node.Kind)) + ".");
        return null;
    }

    private static float ParseFloat(string text)
    {
        try
        {
            return float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            // .NET Framework hosts throw where .NET Core returns infinity.
            return text.StartsWith("-", StringComparison.Ordinal) ? float.NegativeInfinity : float.PositiveInfinity;
        }
    }

    private static void Schema(List<LocatedSpecProblem> problems, JsonNode at, int layer, SpecField field, string message) =>
        problems.Add(new LocatedSpecProblem(new SpecProblem(SpecDiagnosticIds.InvalidJsonSpec, message, layer, field), at.Start, at.Length));
}
