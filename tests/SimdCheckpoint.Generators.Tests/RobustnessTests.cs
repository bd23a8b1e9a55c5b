using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// The generator runs inside the compiler and the IDE, on code that is being typed: whatever it is given, it reports
/// diagnostics and never throws (an exception would surface as CS8785 and drop every network of the project).
/// </summary>
public sealed class RobustnessTests
{
    private const string FileDeclaration = "using SimdCheckpoint;\nnamespace N;\n[NetworkFile(\"tiny.json\")]\npublic partial class Net;";

    private static readonly Dictionary<string, string> Sources = new()
    {
        ["unterminated attribute list"] = "using SimdCheckpoint;\n[Network\npublic partial class Net;",
        ["unterminated argument list"] = "using SimdCheckpoint;\n[Network]\n[Dense(\npublic partial class Net;",
        ["attribute with no type after it"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3)]",
        ["missing alpha value"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3, Activation.LeakyRelu, Alpha = )]\npublic partial class Net;",
        ["wrong argument types"] = "using SimdCheckpoint;\n[Network]\n[Dense(\"a\", 3.5, \"relu\")]\npublic partial class Net;",
        ["missing outputs"] = "using SimdCheckpoint;\n[Network]\n[Dense(2)]\npublic partial class Net;",
        ["too many arguments"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3, Activation.Relu, 5)]\npublic partial class Net;",
        ["non-constant arguments"] = "using SimdCheckpoint;\n[Network]\n[Dense(System.Environment.ProcessorCount, 3)]\npublic partial class Net;",
        ["null name"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3, Name = null)]\npublic partial class Net;",
        ["unknown named argument"] = "using SimdCheckpoint;\n[Network(Rows = 3)]\n[Dense(2, 3, Bias = false)]\npublic partial class Net;",
        ["string tile"] = "using SimdCheckpoint;\n[Network(TileRows = \"6\")]\n[Dense(2, 3)]\npublic partial class Net;",
        ["int.MaxValue sizes"] = "using SimdCheckpoint;\n[Network]\n[Dense(int.MaxValue, int.MaxValue)]\n[Dense(int.MinValue, 0)]\npublic partial class Net;",
        ["int.MaxValue tile"] = "using SimdCheckpoint;\n[Network(TileRows = int.MaxValue, TileColumns = int.MinValue)]\n[Dense(2, 3)]\npublic partial class Net;",
        ["activation out of range both ways"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3, (Activation)(-1))]\n[Dense(3, 3, (Activation)int.MaxValue)]\npublic partial class Net;",
        ["interface"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3)]\npublic partial interface INet { }",
        ["record with parameters"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3)]\npublic partial record R(int X);",
        ["file-local type"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3)]\nfile partial class Net;",
        ["enum and delegate"] = "using SimdCheckpoint;\n[Network]\n[Dense(2, 3)]\npublic enum E { }\n[Network]\npublic delegate void D();",
        ["attribute through an alias"] = "using Net = SimdCheckpoint.NetworkAttribute;\nusing D = SimdCheckpoint.DenseAttribute;\n[Net]\n[D(2, 3)]\npublic partial class Model;",
        ["same attribute twice"] = "using SimdCheckpoint;\n[Network]\n[Network]\n[Dense(2, 3)]\npublic partial class Net;",
        ["network file and network on different parts"] = "using SimdCheckpoint;\n[Network]\npublic partial class Net;\n[NetworkFile(\"tiny.json\")]\n[Dense(2, 3)]\npublic partial class Net;",
        ["network file with no argument"] = "using SimdCheckpoint;\n[NetworkFile]\npublic partial class Net;",
        ["network file with null path"] = "using SimdCheckpoint;\n[NetworkFile(null)]\npublic partial class Net;",
        ["network file path with a NUL"] = "using SimdCheckpoint;\n[NetworkFile(\"a\\0b.json\")]\npublic partial class Net;",
        ["network file path of 100000 characters"] = "using SimdCheckpoint;\n[NetworkFile(\"" + new string('a', 100_000) + ".json\")]\npublic partial class Net;",
        ["network file path with a lone surrogate"] = "using SimdCheckpoint;\n[NetworkFile(\"\\uD800.json\")]\npublic partial class Net;",
        ["network file path that climbs out"] = "using SimdCheckpoint;\n[NetworkFile(\"../../../../../../tiny.json\")]\npublic partial class Net;",
        ["network file path that is a directory"] = "using SimdCheckpoint;\n[NetworkFile(\"/.json\")]\npublic partial class Net;",
        ["generic nested in generic"] = "using SimdCheckpoint;\npublic partial class Outer<T>\n{\n    [Network]\n    [Dense(2, 3)]\n    public partial class Net<U>;\n}",
        ["deeply nested types"] = "using SimdCheckpoint;\n" + string.Concat(Enumerable.Repeat("partial class C {", 200)) + "[Network][Dense(2, 3)] partial class Net;" + new string('}', 200),
        ["two networks with one name in two namespaces"] = "using SimdCheckpoint;\nnamespace A { [Network][Dense(2, 3)] partial class Net; }\nnamespace B { [Network][Dense(2, 3)] partial class Net; }",
        ["a network name clashing with a namespace"] = "using SimdCheckpoint;\nnamespace A { [Network][Dense(2, 3)] partial class B; }\nnamespace A.B { }",
        ["a network type clashing with a namespace"] = "using SimdCheckpoint;\nnamespace A { partial class B { [Network][Dense(2, 3)] partial class C; } }\nnamespace A.B { [Network][Dense(2, 3)] partial class C; }",
        ["network attribute on two partial declarations"] = "using SimdCheckpoint;\n[Network][Dense(2, 3)] partial class Net;\n[Network] partial class Net;",
        ["network file attribute on two partial declarations"] = "using SimdCheckpoint;\n[NetworkFile(\"tiny.json\")] partial class Net;\n[NetworkFile(\"tiny.json\")] partial class Net;",
        ["odd unicode in names"] = "using SimdCheckpoint;\nnamespace Ünïcödé;\n[Network]\n[Dense(2, 3, Name = \"\\uD800\")]\n[Dense(3, 2, Name = \"\\u200B\\uFEFF\")]\n[Dense(2, 2, Name = \"\\u2028\")]\npublic partial class Nét\\u0041;",
        ["garbage"] = "\0\0\u2028\uFFFF[[[[((((\"",
    };

    private static readonly Dictionary<string, string> JsonTexts = new()
    {
        ["empty file"] = string.Empty,
        ["white space"] = " \t\r\n ",
        ["byte order mark only"] = "\uFEFF",
        ["10,000 open brackets"] = new string('[', 10_000),
        ["10,000 nested arrays"] = new string('[', 10_000) + new string(']', 10_000),
        ["10,000 open braces"] = string.Concat(Enumerable.Repeat("{\"a\":", 10_000)),
        ["nesting just past the limit"] = new string('[', 66) + new string(']', 66),
        ["null root"] = "null",
        ["number root"] = "42",
        ["string root"] = "\"layers\"",
        ["true root"] = "true",
        ["lone minus"] = "-",
        ["truncated literal"] = "tru",
        ["truncated exponent"] = "{\"layers\": [{\"inputs\": 1e",
        ["leading zero"] = "01",
        ["text after the value"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1}]} trailing",
        ["huge integer"] = "{\"layers\": [{\"inputs\": 99999999999999999999999999999999, \"outputs\": -99999999999999999999}]}",
        ["100,000 digit integer"] = "{\"layers\": [{\"inputs\": " + new string('7', 100_000) + ", \"outputs\": 1}]}",
        ["huge alpha"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"leaky_relu\", \"alpha\": 1e999999}]}",
        ["huge negative alpha"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"leaky_relu\", \"alpha\": -1e999999}]}",
        ["tiny alpha"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"leaky_relu\", \"alpha\": -1e-999999}]}",
        ["100,000 digit alpha"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"leaky_relu\", \"alpha\": 0." + new string('3', 100_000) + "}]}",
        ["exponent of 100 digits"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"leaky_relu\", \"alpha\": 1e" + new string('9', 100) + "}]}",
        ["negative zero sizes"] = "{\"layers\": [{\"inputs\": -0, \"outputs\": -0}]}",
        ["lone surrogate names"] = "{\"name\": \"\\ud800\", \"layers\": [{\"name\": \"\\udc00\", \"inputs\": 1, \"outputs\": 1}]}",
        ["raw lone surrogates"] = "{\"name\": \"\uD800\", \"layers\": [{\"name\": \"\uDC00x\", \"inputs\": 1, \"outputs\": 1}]}",
        ["emoji and right-to-left names"] = "{\"name\": \"😀\u202Enet\", \"layers\": [{\"name\": \"\u202E😀\", \"inputs\": 1, \"outputs\": 1}]}",
        ["control characters in names"] = "{\"name\": \"\\u0000\\u0085\\u2029\", \"layers\": [{\"name\": \"\\u0000\", \"inputs\": 1, \"outputs\": 1}]}",
        ["raw control characters"] = "{\"layers\": [\u0001{\"inputs\": 1, \"outputs\": 1}]}",
        ["NUL characters"] = "\0\0\0",
        ["invalid escapes"] = "{\"name\": \"\\u12\", \"layers\": []}",
        ["escape at the end"] = "{\"name\": \"\\",
        ["unknown escape"] = "{\"name\": \"\\x41\"}",
        ["fullwidth activation"] = "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"ＲＥＬＵ\"}]}",
        ["escaped keys"] = "{\"\\u006cayers\": [{\"\\u0069nputs\": 1, \"outputs\": 1}]}",
        ["null everywhere"] = "{\"name\": null, \"layers\": [null, {\"name\": null, \"inputs\": null, \"outputs\": null, \"activation\": null, \"alpha\": null}]}",
        ["empty key"] = "{\"\": 1, \"layers\": [{\"\": 2, \"inputs\": 1, \"outputs\": 1}]}",
        ["2,000 layers"] = "{\"layers\": [{\"inputs\": 2, \"outputs\": 2}" + string.Concat(Enumerable.Repeat(", {\"outputs\": 2}", 1_999)) + "]}",
        ["later layer without outputs"] = "{\"layers\": [{\"inputs\": 2, \"outputs\": 2}, {}, {\"outputs\": 3}]}",
        ["every error at once"] = "{\"name\": 3, \"x\": 1, \"layers\": [{\"name\": 1, \"inputs\": \"a\", \"outputs\": 1.5, \"activation\": \"mish\", \"alpha\": true, \"y\": 2}, 5, {\"name\": \"\"}]}",
    };

    public static TheoryData<string> SourceCases => new(Sources.Keys);

    public static TheoryData<string> JsonCases => new(JsonTexts.Keys);

    [Theory]
    [MemberData(nameof(SourceCases))]
    public void Malformed_source_never_throws(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(Sources[name], GeneratorHarness.Json("/src/tiny.json", SnapshotTests.TinyJson));

        AssertNoFailure(run);
    }

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Malformed_json_never_throws(string name)
    {
        GeneratorRun run = GeneratorHarness.Run(FileDeclaration, GeneratorHarness.Json("/src/tiny.json", JsonTexts[name]));

        AssertNoFailure(run);
    }

    [Fact]
    public void Unreadable_additional_file_reports_SCK0006()
    {
        GeneratorRun run = GeneratorHarness.Run(FileDeclaration, new UnreadableText("/src/tiny.json"));
        Diagnostic d = run.Single("SCK0006");

        Assert.Contains("'/src/tiny.json' could not be read", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AssertNoFailure(GeneratorRun run)
    {
        Assert.Null(run.Generator.Exception);
        Assert.True(
            !run.Diagnostics.Any(d => d.Id == "SCK9999"),
            "The generator failed internally:\n" + string.Join("\n", run.Diagnostics.Where(d => d.Id == "SCK9999")));

        // Whatever it generated must at least parse: a spec's text must never leak out of a literal or a comment.
        foreach (GeneratedSourceResult source in run.Sources)
        {
            Diagnostic[] syntax = source.SyntaxTree.GetDiagnostics(TestContext.Current.CancellationToken).ToArray();
            Assert.True(syntax.Length == 0, source.HintName + ":\n" + string.Join("\n", syntax.Take(10)));
        }
    }

    private sealed class UnreadableText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override Microsoft.CodeAnalysis.Text.SourceText? GetText(System.Threading.CancellationToken cancellationToken = default) => null;
    }
}
