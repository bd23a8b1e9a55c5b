using Microsoft.CodeAnalysis;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// Mistakes in a <c>[NetworkFile]</c> declaration or its JSON file: a stable ID, a location in the C# attribute or
/// inside the JSON file itself (its path, line and column), a message that names the file and layer, and no source.
/// </summary>
public sealed class JsonDiagnosticTests
{
    private const string Declaration = "using SimdCheckpoint;\nnamespace N;\n[NetworkFile(\"tiny.json\")]\npublic partial class Net;";

    private const string JsonPath = "/src/models/tiny.json";

    private static GeneratorRun RunJson(string json) =>
        GeneratorHarness.Run(Declaration, GeneratorHarness.Json(JsonPath, json));

    [Fact]
    public void Missing_file_reports_SCK0006_at_the_path_naming_the_known_files()
    {
        GeneratorRun run = GeneratorHarness.Run(Declaration, GeneratorHarness.Json("/src/other.json", "{}"));
        Diagnostic d = run.Single("SCK0006");

        Assert.Equal("\"tiny.json\"", run.TextAt(d));
        Assert.Equal("(3,14)", d.Position());
        Assert.Contains("'tiny.json' (from [NetworkFile] on 'N.Net') is not among the project's AdditionalFiles", d.Message());
        Assert.Contains("the .json and .onnx AdditionalFiles are: other.json", d.Message());
    }

    [Fact]
    public void Missing_file_without_any_json_reports_SCK0006()
    {
        GeneratorRun run = GeneratorHarness.Run(Declaration);
        Diagnostic d = run.Single("SCK0006");

        Assert.Equal("\"tiny.json\"", run.TextAt(d));
        Assert.Contains("the project has no .json or .onnx AdditionalFiles", d.Message());
    }

    [Fact]
    public void Ambiguous_file_reports_SCK0006_listing_every_match()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Declaration,
            GeneratorHarness.Json("/a/tiny.json", SnapshotTests.TinyJson),
            GeneratorHarness.Json("/b/tiny.json", SnapshotTests.TinyJson));
        Diagnostic d = run.Single("SCK0006");

        Assert.Equal("\"tiny.json\"", run.TextAt(d));
        Assert.Contains("'tiny.json' matches several AdditionalFiles (/a/tiny.json, /b/tiny.json)", d.Message());
    }

    [Fact]
    public void File_beside_the_declaring_source_wins_over_other_matches()
    {
        // The counterpart of the ambiguity: a path relative to the declaring file is not ambiguous.
        GeneratorRun run = GeneratorHarness.Run(
            Declaration,
            GeneratorHarness.Json("/a/tiny.json", "not json"),
            GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson));

        Assert.Empty(run.Diagnostics);
        Assert.Single(run.Sources);
    }

    [Fact]
    public void Empty_path_reports_SCK0006()
    {
        GeneratorRun run = GeneratorHarness.Run("using SimdCheckpoint;\n[NetworkFile(\"\")]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0006");

        Assert.Equal("\"\"", run.TextAt(d));
        Assert.Contains("[NetworkFile] on 'Net' needs the path of a spec file", d.Message());
    }

    [Fact]
    public void Malformed_json_reports_SCK0007_at_the_offending_character()
    {
        GeneratorRun run = RunJson("{\n  \"layers\": [\n    { \"inputs\": 4, \"outputs\": 2 },\n  ]\n}\n");
        Diagnostic d = run.Single("SCK0007");

        Assert.Equal(JsonPath, d.Location.GetLineSpan().Path);
        Assert.Equal("(4,3)", d.Position());
        Assert.Equal("]", run.TextAt(d));
        Assert.StartsWith("tiny.json: The file is not valid JSON: Unexpected character ']'", d.Message());
    }

    [Fact]
    public void Truncated_json_reports_SCK0007_at_the_end_of_the_file()
    {
        const string json = "{ \"layers\": [ { \"inputs\": 4,";
        GeneratorRun run = RunJson(json);
        Diagnostic d = run.Single("SCK0007");

        Assert.Equal(JsonPath, d.Location.GetLineSpan().Path);
        Assert.Equal(json.Length, d.Location.SourceSpan.Start);
        Assert.Equal(string.Empty, run.TextAt(d));
        Assert.Contains("tiny.json: The file is not valid JSON", d.Message());
    }

    [Theory]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "bias": true } ] }""", "\"bias\"", "layer 0 has the unknown property \"bias\"")]
    [InlineData("""{ "layers": [ { "inputs": 1, "outputs": 1 } ], "layer": [] }""", "\"layer\"", "the network has the unknown property \"layer\"")]
    [InlineData("""{ "layers": [ { "inputs": 4 } ] }""", """{ "inputs": 4 }""", "layer 0 has no \"outputs\"")]
    [InlineData("""{ "layers": [ { "outputs": 2 } ] }""", """{ "outputs": 2 }""", "The first layer must give \"inputs\"")]
    [InlineData("""{ "layers": [ { "inputs": "4", "outputs": 2 } ] }""", "\"4\"", "layer 0: \"inputs\" must be an integer, not a string")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 3.5 } ] }""", "3.5", "layer 0: \"outputs\" must be an integer, not 3.5")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 3e0 } ] }""", "3e0", "\"outputs\" must be an integer, not 3e0")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 99999999999 } ] }""", "99999999999", "must be an integer, not 99999999999")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "activation": 1 } ] }""", "1", "layer 0: \"activation\" must be a string")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "alpha": "0.1" } ] }""", "\"0.1\"", "layer 0: \"alpha\" must be a number")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "inputs": 4 } ] }""", "\"inputs\"", "layer 0 gives \"inputs\" twice")]
    [InlineData("""{ "layers": [ 7 ] }""", "7", "layer 0 must be an object, not a number")]
    [InlineData("""{ "name": "", "layers": [ { "inputs": 1, "outputs": 1 } ] }""", "\"\"", "\"name\" must be a non-empty string")]
    [InlineData("""{ "layers": { } }""", "{ }", "\"layers\" must be an array of layer objects, not an object")]
    [InlineData("""{ }""", "{ }", "The spec has no \"layers\" array")]
    [InlineData("""[ ]""", "[ ]", "The spec must be a JSON object with a \"layers\" array, not an array")]
    public void Schema_error_reports_SCK0008_at_the_value(string json, string text, string message)
    {
        GeneratorRun run = RunJson(json);
        Diagnostic d = run.Single("SCK0008");

        Assert.Equal(JsonPath, d.Location.GetLineSpan().Path);
        Assert.Equal(text, run.TextAt(d));
        Assert.StartsWith("tiny.json: ", d.Message());
        Assert.Contains(message, d.Message());
    }

    [Fact]
    public void Schema_error_location_has_the_line_and_column_in_the_file()
    {
        GeneratorRun run = RunJson("{\n  \"layers\": [\n    { \"inputs\": 4, \"outputs\": 2 },\n    { \"outputs\": 2.5 }\n  ]\n}\n");
        Diagnostic d = run.Single("SCK0008");

        Assert.Equal("(4,18)", d.Position());
        Assert.Equal("2.5", run.TextAt(d));
        Assert.Contains("layer 1: \"outputs\" must be an integer", d.Message());
    }

    [Fact]
    public void Unknown_activation_name_reports_SCK0004_at_the_string()
    {
        GeneratorRun run = RunJson("{ \"layers\": [\n  { \"inputs\": 4, \"outputs\": 2, \"activation\": \"mish\" }\n] }");
        Diagnostic d = run.Single("SCK0004");

        Assert.Equal(JsonPath, d.Location.GetLineSpan().Path);
        Assert.Equal("\"mish\"", run.TextAt(d));
        Assert.Equal("(2,46)", d.Position());
        Assert.Contains("tiny.json: layer 0 has the unknown activation \"mish\"", d.Message());
    }

    [Theory]
    [InlineData("""{ "layers": [] }""", "SCK0002", "[]", "no layers")]
    [InlineData("""{ "layers": [ { "inputs": 0, "outputs": 2 } ] }""", "SCK0003", "0", "layer 0 ('dense0') has inputs = 0")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2 }, { "inputs": 3, "outputs": 1 } ] }""", "SCK0005", "3", "layer 1 ('dense1') takes 3 inputs")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "activation": "relu", "alpha": 0.1 } ] }""", "SCK0009", "0.1", "only leaky_relu takes one")]
    [InlineData("""{ "layers": [ { "inputs": 4, "outputs": 2, "activation": "leaky_relu", "alpha": 1e39 } ] }""", "SCK0009", "1e39", "it must be a finite number")]
    [InlineData("""{ "layers": [ { "name": "fc", "inputs": 4, "outputs": 2 }, { "name": "fc", "outputs": 1 } ] }""", "SCK0010", "\"fc\"", "layer 1 ('fc') has the same name as layer 0")]
    [InlineData("""{ "layers": [ { "inputs": 16777217, "outputs": 2 } ] }""", "SCK0012", "16777217", "at most 16777216")]
    public void Spec_rule_in_json_reports_its_id_at_the_field(string json, string id, string text, string message)
    {
        GeneratorRun run = RunJson(json);
        Diagnostic d = run.Single(id);

        Assert.Equal(JsonPath, d.Location.GetLineSpan().Path);
        Assert.Equal(text, run.TextAt(d));
        Assert.StartsWith("tiny.json: ", d.Message());
        Assert.Contains(message, d.Message());
    }

    [Fact]
    public void Invalid_tile_on_network_file_reports_SCK0013()
    {
        GeneratorRun run = GeneratorHarness.Run(
            "using SimdCheckpoint;\n[NetworkFile(\"tiny.json\", TileColumns = 4)]\npublic partial class Net;",
            GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson));
        Diagnostic d = run.Single("SCK0013");

        Assert.Equal("NetworkFile(\"tiny.json\", TileColumns = 4)", run.TextAt(d));
        Assert.Contains("TileColumns = 4", d.Message());
    }
}
