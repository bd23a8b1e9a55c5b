using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using SimdCheckpoint.Json;

namespace SimdCheckpoint;

public sealed partial class NetworkSpec
{
    /// <summary>
    /// Reads a network from its JSON form, the same reader and rules the source generator applies to a
    /// <see cref="NetworkFileAttribute"/> file.
    /// </summary>
    /// <param name="json">The spec text.</param>
    /// <param name="sourceName">The file name for messages, and the network's name when the spec gives none.</param>
    /// <exception cref="NetworkSpecException">The text is not a valid spec; each problem gives its line and column.</exception>
    public static NetworkSpec FromJson(string json, string sourceName = "spec.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        JsonSpecReadResult result = JsonSpecReader.Read(json, Path.GetFileNameWithoutExtension(sourceName));
        if (result.Spec is not null)
        {
            return result.Spec;
        }

        var problems = new List<SpecProblem>(result.Problems.Count);
        foreach (LocatedSpecProblem p in result.Problems)
        {
            JsonLite.GetLineColumn(json, p.Start, out int line, out int column);
            problems.Add(new SpecProblem(
                p.Problem.Id,
                $"{sourceName}({line},{column}): {p.Problem.Message}",
                p.Problem.LayerIndex,
                p.Problem.Field));
        }

        throw new NetworkSpecException(sourceName, problems);
    }

    /// <summary>Reads a network from a JSON spec file; see <see cref="FromJson(string, string)"/>.</summary>
    public static NetworkSpec FromJsonFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromJson(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Writes this network in its JSON form, which <see cref="FromJson(string, string)"/> reads back equal.</summary>
    public string ToJson()
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"name\": ").Append(Quote(Name)).Append(",\n  \"layers\": [\n");
        for (int i = 0; i < _layers.Length; i++)
        {
            DenseLayerSpec l = _layers[i];
            sb.Append("    { \"name\": ").Append(Quote(l.Name))
              .Append(", \"inputs\": ").Append(l.Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture))
              .Append(", \"outputs\": ").Append(l.Outputs.ToString(System.Globalization.CultureInfo.InvariantCulture))
              .Append(", \"activation\": \"").Append(ActivationNames.ToJsonName(l.Activation)).Append('"');
            if (l.AlphaGiven)
            {
                sb.Append(", \"alpha\": ").Append(l.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            sb.Append(i + 1 < _layers.Length ? " },\n" : " }\n");
        }

        sb.Append("  ]\n}\n");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + System.Text.Json.JsonEncodedText.Encode(s).Value + "\"";
}
