using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using SimdCheckpoint.Json;
using SimdCheckpoint.Onnx;

namespace SimdCheckpoint;

// Where a spec comes from: every way of reading one is here, with the readers the source generator uses, so a file
// means the same network at build time and at run time.
public sealed partial class NetworkSpec
{
    /// <summary>
    /// Reads a network from its JSON form (a chain of <c>layers</c> or a graph of <c>nodes</c>), with the same reader
    /// and rules the source generator applies to a <c>[NetworkFile]</c> file.
    /// </summary>
    /// <param name="json">The spec text.</param>
    /// <param name="sourceName">The file name for messages, and the network's name when the spec gives none.</param>
    /// <exception cref="NetworkSpecException">The text is not a valid spec; each problem gives its line and column.</exception>
    public static NetworkSpec FromJson(string json, string sourceName = "spec.json") => FromJson(json, sourceName, null);

    /// <summary>As <see cref="FromJson(string, string)"/>, naming a spec that gives no name <paramref name="defaultName"/> (the type that compiles it).</summary>
    internal static NetworkSpec FromJson(string json, string sourceName, string? defaultName)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        if (sourceName is null)
        {
            throw new ArgumentNullException(nameof(sourceName));
        }

        JsonSpecReadResult result = JsonSpecReader.Read(json, defaultName ?? Path.GetFileNameWithoutExtension(sourceName));
        if (result.Spec is not null)
        {
            return result.Spec;
        }

        var problems = new List<SpecProblem>(result.Problems.Count);
        foreach (LocatedSpecProblem p in result.Problems)
        {
            JsonLite.GetLineColumn(json, p.Start, out int line, out int column);
            problems.Add(new SpecProblem(p.Problem.Id, $"{sourceName}({line},{column}): {p.Problem.Message}", p.Problem.LayerIndex, p.Problem.Field));
        }

        throw new NetworkSpecException(sourceName, problems);
    }

    /// <summary>Reads a network from a JSON spec file; see <see cref="FromJson(string, string)"/>.</summary>
    public static NetworkSpec FromJsonFile(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        return FromJson(File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>
    /// Reads the network an ONNX model describes, with the same reader and rules the source generator applies to an
    /// <c>.onnx</c> <c>[NetworkFile]</c> file: a chain of <c>Gemm</c> or <c>MatMul</c>
    /// (+ <c>Add</c>) layers with their activations, or, for a graph whose inputs are token ids, a BERT-style encoder as
    /// <c>torch.onnx.export</c> writes it (opsets 11 to 17); see docs/onnx.md.
    /// </summary>
    /// <param name="model">The file's bytes.</param>
    /// <param name="sourceName">The file name for messages; without its extension, the network's name.</param>
    /// <exception cref="NetworkSpecException">
    /// The bytes are not an ONNX model (SCK0017) or the graph has a node or shape SimdCheckpoint does not compile (SCK0016);
    /// each problem names the node and its operator.
    /// </exception>
    public static NetworkSpec FromOnnx(byte[] model, string sourceName = "model.onnx")
    {
        if (model is null)
        {
            throw new ArgumentNullException(nameof(model));
        }

        if (sourceName is null)
        {
            throw new ArgumentNullException(nameof(sourceName));
        }

        (NetworkSpec? spec, List<SpecProblem> problems) = OnnxReading.Read(model, Path.GetFileNameWithoutExtension(sourceName), Path.GetFileName(sourceName));
        return spec ?? throw new NetworkSpecException(sourceName, problems);
    }

    /// <summary>Reads the network of an ONNX model file; see <see cref="FromOnnx(byte[], string)"/>.</summary>
    public static NetworkSpec FromOnnxFile(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        return FromOnnx(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Writes this network in its JSON form, which <see cref="FromJson(string, string)"/> reads back equal: a chain as
    /// <c>layers</c>, any other graph as <c>inputs</c>, <c>nodes</c> and <c>outputs</c>.
    /// </summary>
    public string ToJson() => JsonSpecWriter.Write(this);
}
