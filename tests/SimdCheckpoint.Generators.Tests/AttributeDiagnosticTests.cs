using Microsoft.CodeAnalysis;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// Every mistake in an attribute declaration is one diagnostic with a stable ID, placed on the exact argument at fault,
/// whose message names the type and layer; and a declaration with errors generates nothing.
/// </summary>
public sealed class AttributeDiagnosticTests
{
    private const string Prefix = "using SimdCheckpoint;\nnamespace N;\n";

    private static GeneratorRun Run(string declaration) => GeneratorHarness.Run(Prefix + declaration);

    [Fact]
    public void Type_not_partial_reports_SCK0001_at_its_name()
    {
        GeneratorRun run = Run("[Network]\n[Dense(2, 2)]\npublic class Net;");
        Diagnostic d = run.Single("SCK0001");

        Assert.Equal("Net", run.TextAt(d));
        Assert.Equal("(5,14)", d.Position());
        Assert.Contains("'N.Net' must be declared partial", d.Message());
    }

    [Fact]
    public void Type_nested_in_non_partial_type_reports_SCK0001_naming_the_container()
    {
        GeneratorRun run = Run("public class Outer\n{\n    [Network] [Dense(2, 2)]\n    public partial class Net;\n}");
        Diagnostic d = run.Single("SCK0001");

        Assert.Equal("Net", run.TextAt(d));
        Assert.Equal("(6,26)", d.Position());
        Assert.Contains("'N.Outer.Net' is nested in 'Outer', which must also be declared partial", d.Message());
    }

    [Fact]
    public void Static_type_reports_SCK0001()
    {
        GeneratorRun run = Run("[Network] [Dense(2, 2)]\npublic static partial class Net { }");
        Diagnostic d = run.Single("SCK0001");

        Assert.Equal("Net", run.TextAt(d));
        Assert.Equal("(4,29)", d.Position());
        Assert.Contains("'N.Net' must be a non-static class or struct", d.Message());
    }

    [Fact]
    public void Generic_type_reports_SCK0001()
    {
        GeneratorRun run = Run("[Network] [Dense(2, 2)]\npublic partial class Net<T>;");
        Diagnostic d = run.Single("SCK0001");

        Assert.Equal("Net", run.TextAt(d));
        Assert.Contains("'N.Net<T>' must not be generic", d.Message());
    }

    [Fact]
    public void File_local_type_reports_SCK0001()
    {
        GeneratorRun run = Run("[Network] [Dense(2, 2)]\nfile partial class Net;");
        Diagnostic d = run.Single("SCK0001");

        Assert.Equal("Net", run.TextAt(d));
        Assert.Contains("must not be file-local", d.Message());
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("public static int Spec => 0;", "Spec")]
    [InlineData("private sealed class Kernels { }", "Kernels")]
    [InlineData("public static void LoadWeights() { }", "LoadWeights")]
    [InlineData("public void CreateSession(int x) { }", "CreateSession")]
    public void A_member_the_generator_adds_reports_SCK0015_at_the_member(string member, string name)
    {
        GeneratorRun run = Run("[Network] [Dense(2, 2)]\npublic partial class Net\n{\n    " + member + "\n}");
        Diagnostic d = run.Single("SCK0015");

        Assert.Equal(name, run.TextAt(d));
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("'N.Net' declares '" + name + "'", d.Message());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void A_network_type_named_like_a_generated_member_reports_SCK0015()
    {
        GeneratorRun run = Run("[Network] [Dense(2, 2)]\npublic partial class Kernels;");
        Diagnostic d = run.Single("SCK0015");

        Assert.Equal("Kernels", run.TextAt(d));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Empty_network_reports_SCK0002_at_the_network_attribute()
    {
        GeneratorRun run = Run("[Network]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0002");

        Assert.Equal("Network", run.TextAt(d));
        Assert.Equal("(3,2)", d.Position());
        Assert.Contains("Network 'N.Net'", d.Message());
        Assert.Contains("no layers", d.Message());
    }

    [Theory]
    [InlineData("[Dense(2, 3)]\n[Dense(3, 0)]", "0", "(5,11)", "layer 1 ('dense1') has outputs = 0")]
    [InlineData("[Dense(-4, 3)]", "-4", "(4,8)", "layer 0 ('dense0') has inputs = -4")]
    [InlineData("[Dense(outputs: 0, inputs: 2, Name = \"fc\")]", "outputs: 0", "(4,8)", "layer 0 ('fc') has outputs = 0")]
    public void Non_positive_size_reports_SCK0003_at_that_argument(string layers, string text, string position, string message)
    {
        GeneratorRun run = Run("[Network]\n" + layers + "\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0003");

        Assert.Equal(text, run.TextAt(d));
        Assert.Equal(position, d.Position());
        Assert.Contains(message, d.Message());
    }

    [Fact]
    public void Unknown_activation_reports_SCK0004_at_the_activation_argument()
    {
        GeneratorRun run = Run("[Network]\n[Dense(2, 3, (Activation)42)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0004");

        Assert.Equal("(Activation)42", run.TextAt(d));
        Assert.Equal("(4,14)", d.Position());
        Assert.Contains("layer 0 ('dense0') has an unknown activation (42)", d.Message());
    }

    [Theory]
    [InlineData("[Dense(2, 3)]\n[Dense(4, 5)]", "4", "(5,8)", "layer 1 ('dense1') takes 4 inputs, but the layer before it, layer 0 ('dense0'), gives 3 outputs")]
    [InlineData("[Dense(2, 3, Name = \"a\")]\n[Dense(outputs: 5, inputs: 7, Name = \"b\")]", "inputs: 7", "(5,20)", "layer 1 ('b') takes 7 inputs")]
    public void Size_mismatch_reports_SCK0005_at_the_inputs_argument(string layers, string text, string position, string message)
    {
        GeneratorRun run = Run("[Network]\n" + layers + "\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0005");

        Assert.Equal(text, run.TextAt(d));
        Assert.Equal(position, d.Position());
        Assert.Contains(message, d.Message());
    }

    [Theory]
    [InlineData("Activation.Relu, Alpha = 0.5f", "Alpha = 0.5f", "only leaky_relu takes one (its activation is relu)")]
    [InlineData("Alpha = 0.5f", "Alpha = 0.5f", "only leaky_relu takes one (its activation is identity)")]
    [InlineData("Activation.LeakyRelu, Alpha = float.NaN", "Alpha = float.NaN", "has alpha NaN; it must be a finite number")]
    [InlineData("Activation.LeakyRelu, Alpha = float.PositiveInfinity", "Alpha = float.PositiveInfinity", "it must be a finite number")]
    [InlineData("Activation.LeakyRelu, Alpha = -1f / 0f", "Alpha = -1f / 0f", "it must be a finite number")]
    public void Invalid_alpha_reports_SCK0009_at_the_alpha_argument(string arguments, string text, string message)
    {
        GeneratorRun run = Run("[Network]\n[Dense(2, 3)]\n[Dense(3, 1, " + arguments + ")]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0009");

        Assert.Equal(text, run.TextAt(d));
        Assert.Equal(5, d.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("layer 1 ('dense1')", d.Message());
        Assert.Contains(message, d.Message());
    }

    [Theory]
    [InlineData("[Dense(2, 3, Name = \"fc\")]\n[Dense(3, 1, Name = \"fc\")]", "Name = \"fc\"", "(5,14)", "layer 1 ('fc') has the same name as layer 0")]
    [InlineData("[Dense(2, 3)]\n[Dense(3, 1, Name = \"dense0\")]", "Name = \"dense0\"", "(5,14)", "layer 1 ('dense0') has the same name as layer 0")]
    [InlineData("[Dense(2, 3, Name = \"\")]", "Name = \"\"", "(4,14)", "layer 0 has an empty name")]
    [InlineData("[Dense(2, 3, Name = \"two words\")]", "Name = \"two words\"", "(4,14)", "contains white space")]
    public void Duplicate_or_empty_layer_name_reports_SCK0010_at_the_name(string layers, string text, string position, string message)
    {
        GeneratorRun run = Run("[Network]\n" + layers + "\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0010");

        Assert.Equal(text, run.TextAt(d));
        Assert.Equal(position, d.Position());
        Assert.Contains(message, d.Message());
    }

    [Fact]
    public void Dense_without_network_reports_SCK0011()
    {
        GeneratorRun run = Run("[Dense(2, 3)]\n[Dense(3, 4)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0011");

        Assert.Equal("Dense(2, 3)", run.TextAt(d));
        Assert.Equal("(3,2)", d.Position());
        Assert.Contains("'N.Net' has [Dense] layers but no [Network] attribute", d.Message());
    }

    [Fact]
    public void Network_and_network_file_together_report_SCK0011_once()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Prefix + "[Network]\n[NetworkFile(\"tiny.json\")]\n[Dense(2, 3)]\npublic partial class Net;",
            GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson));
        Diagnostic d = run.Single("SCK0011");

        Assert.Equal("Network", run.TextAt(d));
        Assert.Equal("(3,2)", d.Position());
        Assert.Contains("'N.Net' has both [Network] and [NetworkFile]", d.Message());
    }

    [Fact]
    public void Dense_on_network_file_type_reports_SCK0011()
    {
        GeneratorRun run = GeneratorHarness.Run(
            Prefix + "[NetworkFile(\"tiny.json\")]\n[Dense(2, 3)]\npublic partial class Net;",
            GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson));
        Diagnostic d = run.Single("SCK0011");

        Assert.Equal("Dense(2, 3)", run.TextAt(d));
        Assert.Contains("'N.Net' takes its layers from 'tiny.json'; remove its [Dense] attributes", d.Message());
    }

    [Fact]
    public void Dense_spread_over_partial_declarations_reports_SCK0011()
    {
        GeneratorRun run = Run("[Network]\n[Dense(2, 3)]\npublic partial class Net;\n[Dense(3, 4)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0011");

        Assert.Equal("Dense(3, 4)", run.TextAt(d));
        Assert.Equal("(6,2)", d.Position());
        Assert.Contains("The [Dense] layers of 'N.Net' are spread over several partial declarations", d.Message());
    }

    [Fact]
    public void Dimension_above_two_to_the_24_reports_SCK0012_at_that_argument()
    {
        GeneratorRun run = Run("[Network]\n[Dense(2, 16777217)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0012");

        Assert.Equal("16777217", run.TextAt(d));
        Assert.Equal("(4,11)", d.Position());
        Assert.Contains("layer 0 ('dense0') has outputs = 16777217; at most 16777216", d.Message());
    }

    [Fact]
    public void Packed_weights_too_large_reports_SCK0012_at_the_network_attribute()
    {
        GeneratorRun run = Run("[Network]\n[Dense(16777216, 16777216)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0012");

        Assert.Equal("Network", run.TextAt(d));
        Assert.Contains("Network 'N.Net'", d.Message());
        Assert.Contains("packed weights", d.Message());
    }

    [Theory]
    [InlineData("Network(TileRows = 17)", "TileRows = 17")]
    [InlineData("Network(TileRows = 14, TileColumns = 8)", "TileRows = 14: it must be between 1 and 13")]
    [InlineData("Network(TileRows = 1, TileColumns = 64)", "TileColumns = 64: the Vector128 (SSE, NEON) path would need 18 registers")]
    [InlineData("Network(TileRows = -1)", "TileRows = -1")]
    [InlineData("Network(TileColumns = 12)", "TileColumns = 12")]
    [InlineData("Network(TileColumns = 72)", "TileColumns = 72")]
    [InlineData("Network(TileRows = 6, TileColumns = 32)", "A 6x32 tile needs 29 vector registers")]
    public void Invalid_tile_reports_SCK0013_at_the_attribute(string attribute, string message)
    {
        GeneratorRun run = Run("[" + attribute + "]\n[Dense(2, 3)]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0013");

        Assert.Equal(attribute, run.TextAt(d));
        Assert.Equal("(3,2)", d.Position());
        Assert.Contains(message, d.Message());
    }

    [Theory]
    [InlineData("model.pb")]
    [InlineData("notes.txt")]
    public void Unsupported_network_file_reports_SCK0014_at_the_path(string path)
    {
        GeneratorRun run = Run("[NetworkFile(\"" + path + "\")]\npublic partial class Net;");
        Diagnostic d = run.Single("SCK0014");

        Assert.Equal("\"" + path + "\"", run.TextAt(d));
        Assert.Equal("(3,14)", d.Position());
        Assert.Contains("'" + path + "' is not a supported network file", d.Message());
    }

    [Fact]
    public void Declaration_with_errors_generates_nothing_while_its_neighbour_still_generates()
    {
        GeneratorRun run = Run("[Network] [Dense(2, 3)] [Dense(4, 1)] public partial class Bad;\n[Network] [Dense(2, 3)] public partial class Good;");

        Assert.Equal("SCK0005", Assert.Single(run.Diagnostics).Id);
        Assert.Equal("N.Good.g.cs", Assert.Single(run.Sources).HintName);
    }

    [Fact]
    public void Valid_declaration_reports_nothing_and_generates_its_source()
    {
        // The counterpart of every test above: the same shape without the mistake is clean.
        GeneratorRun run = Run("[Network(TileRows = 4, TileColumns = 24)]\n[Dense(2, 3, Activation.LeakyRelu, Alpha = 0.5f, Name = \"a\")]\n[Dense(3, 1)]\npublic partial class Net;");

        Assert.Empty(run.Diagnostics);
        Assert.Equal("N.Net.g.cs", Assert.Single(run.Sources).HintName);
    }
}
