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
/// Reads the JSON form of a network spec, a chain of layers or a graph of nodes:
/// <code>
/// { "name": "mnist",
///   "layers": [ { "name": "fc1", "inputs": 784, "outputs": 256, "activation": "relu" },
///               { "outputs": 10 } ] }
///
/// { "name": "probe",
///   "inputs": [ { "name": "x", "width": 784 } ],
///   "nodes": [ { "op": "dense", "name": "fc1", "from": "x", "to": "h", "outputs": 256, "activation": "relu" },
///              { "op": "dense", "name": "fc2", "from": "h", "to": "logits", "outputs": 10 } ],
///   "outputs": [ "logits" ] }
/// </code>
/// In a chain, <c>inputs</c> is required on the first layer and, when present on a later one, must equal the previous
/// layer's <c>outputs</c>; in a graph, a dense node's <c>inputs</c> defaults to the width of the tensor it reads.
/// Unknown properties are errors, so a misspelt key is never silently ignored.
/// </summary>
internal static class JsonSpecReader
{
    private static readonly string[] NetworkProperties = { "$schema", "name", "description", "layers", "inputs", "nodes", "outputs", "encoder" };
    private static readonly string[] EncoderProperties =
        { "layers", "hidden", "heads", "intermediate", "vocabulary", "positions", "typeVocabulary", "epsilon", "activation", "pooler", "tokenTypes" };
    private static readonly string[] LayerProperties = { "name", "description", "inputs", "outputs", "activation", "alpha" };
    private static readonly string[] NodeProperties = { "op", "name", "description", "from", "to", "inputs", "outputs", "activation", "alpha" };
    private static readonly string[] InputProperties = { "name", "width" };

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

        bool graph = members.ContainsKey("nodes");
        if (members.TryGetValue("encoder", out JsonNode? encoderNode))
        {
            foreach (string key in new[] { "layers", "nodes", "inputs", "outputs" })
            {
                if (members.TryGetValue(key, out JsonNode? extra))
                {
                    Schema(problems, extra, -1, SpecField.Network, "\"" + key + "\" does not belong beside \"encoder\": an encoder spec gives only its sizes.");
                }
            }

            return ReadEncoder(problems, encoderNode, name);
        }

        if (members.TryGetValue("layers", out JsonNode? layersNode))
        {
            foreach (string key in new[] { "nodes", "inputs", "outputs" })
            {
                if (members.TryGetValue(key, out JsonNode? extra))
                {
                    Schema(problems, extra, -1, SpecField.Network, "\"" + key + "\" belongs to a graph spec (\"nodes\"); a chain spec lists only its \"layers\".");
                }
            }

            return ReadChain(problems, root, layersNode, name);
        }

        if (!graph)
        {
            Schema(problems, root, -1, SpecField.Network, "The spec has no \"layers\" array (a chain of layers) or \"nodes\" array (a graph).");
            return new JsonSpecReadResult(null, problems);
        }

        return ReadGraph(problems, root, members, name);
    }

    /// <summary>
    /// The encoder form: <c>{ "name": ..., "encoder": { "layers": 6, "hidden": 384, "heads": 12, "intermediate": 1536,
    /// "vocabulary": 30522, "positions": 512, "typeVocabulary": 2, "epsilon": 1e-12, "activation": "gelu", "pooler": true,
    /// "tokenTypes": true } }</c>; <c>pooler</c> and <c>tokenTypes</c> default to true, <c>typeVocabulary</c> to 2,
    /// <c>epsilon</c> to 1e-12 and <c>activation</c> to gelu (Hugging Face's BERT defaults).
    /// </summary>
    private static JsonSpecReadResult ReadEncoder(List<LocatedSpecProblem> problems, JsonNode node, string name)
    {
        if (node.Kind != JsonKind.Object)
        {
            Schema(problems, node, -1, SpecField.Network, "\"encoder\" must be an object of sizes, not " + JsonNode.Describe(node.Kind) + ".");
            return new JsonSpecReadResult(null, problems);
        }

        const string where = "the encoder";
        Dictionary<string, JsonNode> m = Members(problems, node, EncoderProperties, where, -1);
        int Required(string key)
        {
            int? value = ReadInt(problems, m, key, -1, SpecField.Network, null, where);
            if (!m.ContainsKey(key))
            {
                Schema(problems, node, -1, SpecField.Network, where + " has no \"" + key + "\".");
            }

            return value ?? 0;
        }

        bool Flag(string key)
        {
            if (!m.TryGetValue(key, out JsonNode? flag))
            {
                return true;
            }

            if (flag.Kind != JsonKind.True && flag.Kind != JsonKind.False)
            {
                Schema(problems, flag, -1, SpecField.Network, where + ": \"" + key + "\" must be true or false, not " + JsonNode.Describe(flag.Kind) + ".");
            }

            return flag.Kind != JsonKind.False;
        }

        int layers = Required("layers");
        int hidden = Required("hidden");
        int heads = Required("heads");
        int intermediate = Required("intermediate");
        int vocabulary = Required("vocabulary");
        int positions = Required("positions");
        int types = m.ContainsKey("typeVocabulary") ? ReadInt(problems, m, "typeVocabulary", -1, SpecField.Network, null, where) ?? 0 : 2;
        float epsilon = 1e-12f;
        if (m.TryGetValue("epsilon", out JsonNode? eps))
        {
            if (eps.Kind == JsonKind.Number)
            {
                epsilon = ParseFloat(eps.Text);
            }
            else
            {
                Schema(problems, eps, -1, SpecField.Network, where + ": \"epsilon\" must be a number, not " + JsonNode.Describe(eps.Kind) + ".");
            }
        }

        Activation activation = Activation.Gelu;
        if (m.TryGetValue("activation", out JsonNode? a))
        {
            if (a.Kind != JsonKind.String)
            {
                Schema(problems, a, -1, SpecField.Activation, where + ": \"activation\" must be a string, not " + JsonNode.Describe(a.Kind) + ".");
            }
            else if (!ActivationInfo.TryParse(a.Text, out activation))
            {
                problems.Add(new LocatedSpecProblem(
                    new SpecProblem(SpecDiagnosticIds.UnknownActivation, where + " has the unknown activation \"" + a.Text + "\"; use one of: " + ActivationInfo.Accepted + ".", -1, SpecField.Activation),
                    a.Start,
                    a.Length));
            }
        }

        bool pooler = Flag("pooler");
        bool tokenTypes = Flag("tokenTypes");
        if (problems.Count > 0)
        {
            return new JsonSpecReadResult(null, problems);
        }

        try
        {
            var config = new EncoderConfig(layers, hidden, heads, intermediate, vocabulary, positions, types, epsilon, activation, pooler, tokenTypes);
            return new JsonSpecReadResult(NetworkSpec.ForEncoder(name, config), problems);
        }
        catch (NetworkSpecException e)
        {
            foreach (SpecProblem problem in e.Problems)
            {
                problems.Add(new LocatedSpecProblem(problem, node.Start, node.Length));
            }

            return new JsonSpecReadResult(null, problems);
        }
    }

    private static JsonSpecReadResult ReadChain(List<LocatedSpecProblem> problems, JsonNode root, JsonNode layersNode, string name)
    {
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
            if (i == 0 && !m.ContainsKey("inputs"))
            {
                Schema(problems, item, i, SpecField.Inputs, "The first layer must give \"inputs\", the size of the network's input.");
            }

            // A later layer without "inputs" takes the previous layer's outputs.
            int previousOutputs = layers.Count > 0 ? layers[layers.Count - 1].Outputs : 0;
            layers.Add(ReadDense(problems, item, m, i, where, layerSpans, previousOutputs));
        }

        if (problems.Count > 0)
        {
            return new JsonSpecReadResult(null, problems);
        }

        try
        {
            return new JsonSpecReadResult(new NetworkSpec(name, layers), problems);
        }
        catch (NetworkSpecException e)
        {
            Locate(problems, e.Problems, root, spans, layersNode.Items.Count == 0 ? layersNode : root, new Dictionary<string, JsonNode>());
            return new JsonSpecReadResult(null, problems);
        }
    }

    private static JsonSpecReadResult ReadGraph(List<LocatedSpecProblem> problems, JsonNode root, Dictionary<string, JsonNode> members, string name)
    {
        JsonNode nodesNode = members["nodes"];
        var inputs = new List<TensorSpec>();
        var widths = new Dictionary<string, int>(StringComparer.Ordinal);
        var tensorSpans = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        if (!members.TryGetValue("inputs", out JsonNode? inputsNode))
        {
            Schema(problems, root, -1, SpecField.Tensors, "A graph spec must list its \"inputs\": [ { \"name\": ..., \"width\": ... } ].");
        }
        else if (inputsNode.Kind != JsonKind.Array)
        {
            Schema(problems, inputsNode, -1, SpecField.Tensors, "\"inputs\" must be an array of { \"name\", \"width\" } objects, not " + JsonNode.Describe(inputsNode.Kind) + ".");
        }
        else
        {
            for (int i = 0; i < inputsNode.Items.Count; i++)
            {
                JsonNode item = inputsNode.Items[i];
                string where = "input " + i.ToString(CultureInfo.InvariantCulture);
                if (item.Kind != JsonKind.Object)
                {
                    Schema(problems, item, -1, SpecField.Tensors, where + " must be an object, not " + JsonNode.Describe(item.Kind) + ".");
                    continue;
                }

                Dictionary<string, JsonNode> m = Members(problems, item, InputProperties, where, -1);
                string? inputName = ReadString(problems, m, "name", -1, SpecField.Tensors, where);
                int? width = ReadInt(problems, m, "width", -1, SpecField.Tensors, null, where);
                if (inputName is null)
                {
                    Schema(problems, item, -1, SpecField.Tensors, where + " has no \"name\".");
                }

                if (!m.ContainsKey("width"))
                {
                    Schema(problems, item, -1, SpecField.Tensors, where + " has no \"width\".");
                }

                if (inputName is not null)
                {
                    inputs.Add(new TensorSpec(inputName, width ?? 0));
                    widths[inputName] = width ?? 0;
                    tensorSpans[inputName] = item;
                }
            }
        }

        var outputs = new List<string>();
        if (!members.TryGetValue("outputs", out JsonNode? outputsNode))
        {
            Schema(problems, root, -1, SpecField.Tensors, "A graph spec must list its \"outputs\": the names of the tensors it returns.");
        }
        else if (outputsNode.Kind != JsonKind.Array)
        {
            Schema(problems, outputsNode, -1, SpecField.Tensors, "\"outputs\" must be an array of tensor names, not " + JsonNode.Describe(outputsNode.Kind) + ".");
        }
        else
        {
            foreach (JsonNode item in outputsNode.Items)
            {
                if (item.Kind == JsonKind.String)
                {
                    outputs.Add(item.Text);
                    if (!tensorSpans.ContainsKey("output:" + item.Text))
                    {
                        tensorSpans["output:" + item.Text] = item;
                    }
                }
                else
                {
                    Schema(problems, item, -1, SpecField.Tensors, "\"outputs\" must list tensor names (strings), not " + JsonNode.Describe(item.Kind) + ".");
                }
            }
        }

        if (nodesNode.Kind != JsonKind.Array)
        {
            Schema(problems, nodesNode, -1, SpecField.Network, "\"nodes\" must be an array of node objects, not " + JsonNode.Describe(nodesNode.Kind) + ".");
            return new JsonSpecReadResult(null, problems);
        }

        var nodes = new List<NodeSpec>();
        var spans = new List<Dictionary<SpecField, JsonNode>>();
        for (int i = 0; i < nodesNode.Items.Count; i++)
        {
            JsonNode item = nodesNode.Items[i];
            var nodeSpans = new Dictionary<SpecField, JsonNode> { [SpecField.Network] = item };
            spans.Add(nodeSpans);
            string where = "node " + i.ToString(CultureInfo.InvariantCulture);
            if (item.Kind != JsonKind.Object)
            {
                Schema(problems, item, i, SpecField.Network, where + " must be an object, not " + JsonNode.Describe(item.Kind) + ".");
                continue;
            }

            Dictionary<string, JsonNode> m = Members(problems, item, NodeProperties, where, i);
            string? op = ReadString(problems, m, "op", i, SpecField.Network, where);
            if (op is null)
            {
                Schema(problems, item, i, SpecField.Network, where + " has no \"op\"; the operators are: dense.");
                continue;
            }

            if (op != "dense")
            {
                Schema(
                    problems,
                    m["op"],
                    i,
                    SpecField.Network,
                    where + " has the unknown op \"" + op + "\"; the operators are: dense (an encoder's embedding, layer-norm and attention nodes come from an \"encoder\" spec).");
                continue;
            }

            string? from = ReadString(problems, m, "from", i, SpecField.Tensors, where);
            string? to = ReadString(problems, m, "to", i, SpecField.Tensors, where);
            if (m.TryGetValue("from", out JsonNode? fromNode))
            {
                nodeSpans[SpecField.Tensors] = fromNode;
            }

            if (from is null && !m.ContainsKey("from"))
            {
                Schema(problems, item, i, SpecField.Tensors, where + " has no \"from\": the tensor it reads.");
            }

            if (to is null && !m.ContainsKey("to"))
            {
                Schema(problems, item, i, SpecField.Tensors, where + " has no \"to\": the tensor it writes.");
            }

            int fromWidth = from is not null && widths.TryGetValue(from, out int w) ? w : 0;
            DenseLayerSpec dense = ReadDense(problems, item, m, i, where, nodeSpans, fromWidth);
            if (from is not null && to is not null)
            {
                nodes.Add(dense.WithTensors(from, to));
                if (!widths.ContainsKey(to))
                {
                    widths[to] = dense.Outputs;
                }
            }
        }

        if (problems.Count > 0)
        {
            return new JsonSpecReadResult(null, problems);
        }

        try
        {
            return new JsonSpecReadResult(new NetworkSpec(name, inputs, nodes, outputs), problems);
        }
        catch (NetworkSpecException e)
        {
            Locate(problems, e.Problems, root, spans, nodesNode.Items.Count == 0 ? nodesNode : root, tensorSpans);
            return new JsonSpecReadResult(null, problems);
        }
    }

    /// <summary>
    /// The sizes, activation and name of a dense layer or node; <paramref name="defaultInputs"/> is K when
    /// <c>inputs</c> is not given (the previous layer's outputs, or the width of the tensor a node reads).
    /// </summary>
    private static DenseLayerSpec ReadDense(
        List<LocatedSpecProblem> problems, JsonNode item, Dictionary<string, JsonNode> m, int i, string where, Dictionary<SpecField, JsonNode> spans, int defaultInputs)
    {
        string layerName = SpecRules.DefaultLayerName(i);
        if (m.TryGetValue("name", out JsonNode? n))
        {
            spans[SpecField.Name] = n;
            if (n.Kind == JsonKind.String)
            {
                layerName = n.Text;
            }
            else
            {
                Schema(problems, n, i, SpecField.Name, where + ": \"name\" must be a string.");
            }
        }

        int? inputs = ReadInt(problems, m, "inputs", i, SpecField.Inputs, spans, where);
        int? outputs = ReadInt(problems, m, "outputs", i, SpecField.Outputs, spans, where);
        if (!m.ContainsKey("outputs"))
        {
            Schema(problems, item, i, SpecField.Outputs, where + " has no \"outputs\".");
        }

        Activation activation = Activation.Identity;
        if (m.TryGetValue("activation", out JsonNode? a))
        {
            spans[SpecField.Activation] = a;
            if (a.Kind != JsonKind.String)
            {
                Schema(problems, a, i, SpecField.Activation, where + ": \"activation\" must be a string.");
            }
            else if (!ActivationInfo.TryParse(a.Text, out activation))
            {
                problems.Add(new LocatedSpecProblem(
                    new SpecProblem(
                        SpecDiagnosticIds.UnknownActivation,
                        where + " has the unknown activation \"" + a.Text + "\"; use one of: " + ActivationInfo.Accepted + ".",
                        i,
                        SpecField.Activation),
                    a.Start,
                    a.Length));
            }
        }

        float? alpha = null;
        if (m.TryGetValue("alpha", out JsonNode? al))
        {
            spans[SpecField.Alpha] = al;
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

        return new DenseLayerSpec(layerName, inputs ?? defaultInputs, outputs ?? 0, activation, alpha);
    }

    /// <summary>Places each rule's problem at the JSON value it is about.</summary>
    private static void Locate(
        List<LocatedSpecProblem> located,
        IReadOnlyList<SpecProblem> problems,
        JsonNode root,
        List<Dictionary<SpecField, JsonNode>> spans,
        JsonNode emptyNetwork,
        Dictionary<string, JsonNode> tensorSpans)
    {
        foreach (SpecProblem p in problems)
        {
            JsonNode at = root;
            if (p.LayerIndex < 0)
            {
                at = p.Id == SpecDiagnosticIds.EmptyNetwork ? emptyNetwork : FindTensor(p.Message, tensorSpans) ?? root;
            }
            else if (!spans[p.LayerIndex].TryGetValue(p.Field, out at!))
            {
                at = spans[p.LayerIndex][SpecField.Network];
            }

            located.Add(new LocatedSpecProblem(p, at.Start, at.Length));
        }
    }

    /// <summary>The input or output entry a network-level problem quotes ("The network output 'y' ...").</summary>
    private static JsonNode? FindTensor(string message, Dictionary<string, JsonNode> tensorSpans)
    {
        foreach (KeyValuePair<string, JsonNode> t in tensorSpans)
        {
            string quoted = t.Key.StartsWith("output:", StringComparison.Ordinal) ? "output '" + t.Key.Substring(7) + "'" : "input '" + t.Key + "'";
            if (message.IndexOf(quoted, StringComparison.Ordinal) >= 0)
            {
                return t.Value;
            }
        }

        return null;
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

    private static string? ReadString(List<LocatedSpecProblem> problems, Dictionary<string, JsonNode> members, string key, int layer, SpecField field, string where)
    {
        if (!members.TryGetValue(key, out JsonNode? node))
        {
            return null;
        }

        if (node.Kind == JsonKind.String)
        {
            return node.Text;
        }

        Schema(problems, node, layer, field, where + ": \"" + key + "\" must be a string, not " + JsonNode.Describe(node.Kind) + ".");
        return null;
    }

    private static int? ReadInt(
        List<LocatedSpecProblem> problems,
        Dictionary<string, JsonNode> members,
        string key,
        int layer,
        SpecField field,
        Dictionary<SpecField, JsonNode>? spans,
        string where)
    {
        if (!members.TryGetValue(key, out JsonNode? node))
        {
            return null;
        }

        if (spans is not null)
        {
            spans[field] = node;
        }

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
