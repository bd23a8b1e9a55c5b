using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using SimdCheckpoint.Generators.Tests.Support;
using Xunit;

namespace SimdCheckpoint.Generators.Tests;

/// <summary>
/// The generated code compiles against the runtime with no error and no warning: nullable on, every warning wave
/// reported. Each case is a declaration shape the emitter has to re-declare correctly.
/// </summary>
public sealed class CompilationTests
{
    private static readonly Dictionary<string, (string Source, string? Json)> Cases = new()
    {
        ["tiny snapshot network"] = (SnapshotTests.TinySource, null),
        ["tiny JSON network"] = (SnapshotTests.TinyFromJsonSource, SnapshotTests.TinyJson),
        ["struct in the global namespace"] = ("""
            using SimdCheckpoint;
            [Network]
            [Dense(3, 2)]
            public partial struct GlobalNet;
            """, null),
        ["record and record struct"] = ("""
            using SimdCheckpoint;
            namespace Records;
            [Network] [Dense(4, 4, Activation.Relu)] public partial record Rec;
            [Network] [Dense(4, 4, Activation.Relu)] internal partial record struct RecStruct;
            """, null),
        ["nested in partial types, block namespace"] = ("""
            using SimdCheckpoint;
            namespace Outer.Inner
            {
                public static partial class Holder
                {
                    internal partial struct Middle
                    {
                        [Network]
                        [Dense(7, 9, Activation.LeakyRelu)]
                        [Dense(9, 1)]
                        private partial class Net { }
                    }
                }
            }
            """, null),
        ["every tile edge"] = ("""
            using SimdCheckpoint;
            namespace Tiles;
            [Network(TileRows = 1, TileColumns = 8)]
            [Dense(1, 1)] [Dense(1, 8, Activation.Relu)] [Dense(8, 9, Activation.LeakyRelu, Alpha = -0.5f)] [Dense(9, 64)] [Dense(64, 65)] [Dense(65, 3)]
            public partial class Narrow;
            [Network(TileRows = 4, TileColumns = 24)]
            [Dense(33, 47, Activation.Relu)] [Dense(47, 5)]
            public partial class Wide;
            [Network(TileRows = 2, TileColumns = 48)]
            [Dense(5, 100)] [Dense(100, 2)]
            public partial class Flat;
            [Network(TileRows = 13, TileColumns = 8)]
            [Dense(3, 20)] [Dense(20, 2)]
            public partial class Tall;
            [Network(TileRows = 1, TileColumns = 56)]
            [Dense(3, 120)] [Dense(120, 2)]
            public partial class Widest;
            """, null),
        ["layer names that need escaping"] = ("""
            using SimdCheckpoint;
            namespace Names;
            [Network]
            [Dense(2, 2, Name = "quote\"back\\slash")]
            [Dense(2, 2, Name = "ünïcødé\u200B")]
            [Dense(2, 2, Name = "a*/b")]
            public partial class Escapes;
            """, null),
        ["keyword identifiers"] = ("""
            using SimdCheckpoint;
            namespace @namespace.@class;
            public partial class @static
            {
                [Network] [Dense(2, 3)] public partial class @event;
            }
            """, null),
        ["JSON network name with a line break"] = ("""
            using SimdCheckpoint;
            namespace Json;
            [NetworkFile("tiny.json")]
            public partial class Broken;
            """, """
            { "name": "first line\nclass Injected {}\u2028x", "layers": [ { "inputs": 2, "outputs": 2 } ] }
            """),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Generated_code_compiles_without_warnings(string name)
    {
        (string source, string? json) = Cases[name];
        AdditionalText[] files = json is null ? [] : [GeneratorHarness.Json("/src/tiny.json", json)];

        GeneratorRun run = GeneratorHarness.Run(source, files);

        Assert.Null(run.Generator.Exception);
        Assert.Empty(run.Diagnostics);
        Assert.NotEmpty(run.Sources);
        ImmutableArray<Diagnostic> diagnostics = run.Output.GetDiagnostics(TestContext.Current.CancellationToken);
        Diagnostic[] problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public void Compile_check_sees_errors_in_generated_code()
    {
        // The check above must be able to fail. Generated code names System types (MathF, Vector256, ...) through
        // using directives, so a user type of the same name in the network's namespace shadows them: a known limit.
        GeneratorRun run = GeneratorHarness.Run("""
            using SimdCheckpoint;
            namespace Shadowing
            {
                public static class MathF { }
                [Network] [Dense(2, 2)]
                public partial class Clash;
            }
            """);

        Assert.Single(run.Sources);
        Assert.Contains(run.Output.GetDiagnostics(TestContext.Current.CancellationToken), d => d.Severity == DiagnosticSeverity.Error);
    }
}
