using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Nodes;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Compilation;
using SimdCheckpoint.Cli.Models;
using SimdCheckpoint.Cli.Tests.Support;
using SimdCheckpoint.Npy;
using Xunit;

namespace SimdCheckpoint.Cli.Tests;

/// <summary>The compiled-model cache: hits, misses, corrupt entries, where it lives, and code that does not compile.</summary>
public sealed class ModelCacheTests(SharedModelCache shared) : IDisposable
{
    private readonly CliModelFiles _files = new();

    private string FreshCache => _files.PathOf("cache");

    public void Dispose() => _files.Dispose();

    private static GeneratedNetworkSource Source(string model) =>
        GeneratedNetworkSource.Emit(ModelFile.Load(model, weightsPath: null, WeightLayout.OutputsByInputs), gradients: false);

    [Fact]
    public void The_second_run_of_a_model_is_served_from_the_cache_with_the_same_bits()
    {
        var first = new StringWriter();
        var second = new StringWriter();
        string a = _files.PathOf("a.npy"), b = _files.PathOf("b.npy");
        Assert.Equal(0, RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, a, _files.Weights, CacheDirectory: FreshCache), TextWriter.Null, first));
        Assert.Equal(0, RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, b, _files.Weights, CacheDirectory: FreshCache), TextWriter.Null, second));
        Assert.StartsWith("simdcheckpoint run: compiled the kernels of cli-tiny.json in ", first.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("simdcheckpoint run: kernels of cli-tiny.json from the cache (", second.ToString(), StringComparison.Ordinal);
        Bits.Equal(NpyFile.Read(a).Data, NpyFile.Read(b).Data, "y");

        CompiledModel third = new ModelCompiler(FreshCache).Compile(Source(_files.Model));
        Assert.Equal(ModelOrigin.Cache, third.Origin);
        Assert.Equal("SimdCheckpoint.Models.CliTinyNetwork", third.NetworkType.FullName);
        Assert.Single(Directory.GetFiles(FreshCache));
    }

    [Fact]
    public void A_changed_model_gets_a_different_cache_entry()
    {
        JsonNode spec = JsonNode.Parse(File.ReadAllText(_files.Model))!;
        spec["layers"]![1]!["activation"] = "sigmoid";
        string changed = _files.PathOf("cli-tiny-sigmoid.json");
        File.WriteAllText(changed, spec.ToJsonString());

        GeneratedNetworkSource original = Source(_files.Model), edited = Source(changed);
        Assert.NotEqual(ModelCompiler.CacheKey(original), ModelCompiler.CacheKey(edited));
        var compiler = new ModelCompiler(FreshCache);
        CopySharedEntry(original);
        Assert.Equal(ModelOrigin.Cache, compiler.Compile(original).Origin);
        CompiledModel compiled = compiler.Compile(edited);
        Assert.Equal(ModelOrigin.Compiled, compiled.Origin);
        Assert.Equal(2, Directory.GetFiles(FreshCache).Length);
        Assert.Equal(ModelOrigin.Cache, compiler.Compile(edited).Origin);
    }

    public static TheoryData<string> Corruptions => ["flipped byte", "truncated", "empty", "not an entry"];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_corrupt_cache_entry_is_detected_and_compiled_again(string corruption)
    {
        GeneratedNetworkSource source = Source(_files.Model);
        string entry = CopySharedEntry(source);
        byte[] bytes = File.ReadAllBytes(entry);
        switch (corruption)
        {
            case "flipped byte":
                bytes[bytes.Length / 2] ^= 0x10;
                break;
            case "truncated":
                Array.Resize(ref bytes, bytes.Length - 100);
                break;
            case "empty":
                bytes = [];
                break;
            default:
                bytes = "MZ this is not a cache entry"u8.ToArray();
                break;
        }

        File.WriteAllBytes(entry, bytes);
        var compiler = new ModelCompiler(FreshCache);
        CompiledModel recompiled = compiler.Compile(source);
        Assert.Equal(ModelOrigin.Recompiled, recompiled.Origin);
        Assert.Contains("corrupt", recompiled.Describe("cli-tiny.json", verbose: false), StringComparison.Ordinal);
        Assert.Equal(ModelOrigin.Cache, compiler.Compile(source).Origin);

        // The command says so on stderr and still gives the right answer.
        File.WriteAllBytes(entry, bytes);
        var stderr = new StringWriter();
        string output = _files.PathOf("y.npy");
        Assert.Equal(0, RunCommand.Run(new RunArguments(_files.Model, _files.InputPath, output, _files.Weights, CacheDirectory: FreshCache), TextWriter.Null, stderr));
        Assert.Contains("the cached kernels of cli-tiny.json were corrupt", stderr.ToString(), StringComparison.Ordinal);
        float[] expected = new float[CliModelFiles.Batch * 5];
        using var session = new InferenceSession<Models.CliTiny>(CliModelFiles.ReferenceWeights(), CliModelFiles.Batch);
        session.Forward(_files.Input, expected, CliModelFiles.Batch);
        Bits.Equal(expected, NpyFile.Read(output).Data, "y");
    }

    [Fact]
    public void A_cache_that_cannot_be_written_still_compiles_and_says_why()
    {
        string notADirectory = _files.PathOf("a-file");
        File.WriteAllText(notADirectory, "x");
        CompiledModel compiled = new ModelCompiler(notADirectory).Compile(Source(_files.Model));
        Assert.Equal(ModelOrigin.Compiled, compiled.Origin);
        Assert.Null(compiled.CachePath);
        Assert.Contains("not cached", compiled.Describe("cli-tiny.json", verbose: false), StringComparison.Ordinal);
    }

    [Fact]
    public void The_cache_lives_in_SIMDCHECKPOINT_CACHE_else_XDG_CACHE_HOME_else_home()
    {
        static string? Resolve(params (string Name, string Value)[] variables)
        {
            var map = new Dictionary<string, string>();
            foreach ((string name, string value) in variables)
            {
                map[name] = value;
            }

            return ModelCache.ResolveDirectory(name => map.GetValueOrDefault(name));
        }

        Assert.Equal("/tmp/own", Resolve(("SIMDCHECKPOINT_CACHE", "/tmp/own"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")));
        Assert.Equal(Path.Combine("/xdg", "simdcheckpoint"), Resolve(("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u")));
        Assert.Equal(Path.Combine("/home/u", ".cache", "simdcheckpoint"), Resolve(("XDG_CACHE_HOME", "relative/ignored"), ("HOME", "/home/u")));
        Assert.Equal(Path.Combine("/home/u", ".cache", "simdcheckpoint"), Resolve(("SIMDCHECKPOINT_CACHE", ""), ("HOME", "/home/u")));
    }

    [Fact]
    public void Generated_code_that_does_not_compile_is_an_internal_error_quoting_the_compiler()
    {
        GeneratedNetworkSource good = Source(_files.Model);
        var broken = new GeneratedNetworkSource(good.Namespace, good.TypeName, good.Declaration, good.Generated.Replace("Kernels.RunLayer(", "Kernels.RunLayr(", StringComparison.Ordinal));
        InternalErrorException e = Assert.Throws<InternalErrorException>(() => new ModelCompiler(FreshCache).Compile(broken));
        Assert.Contains("do not compile", e.Message, StringComparison.Ordinal);
        Assert.Contains("error CS0117", e.Message, StringComparison.Ordinal);
        Assert.Contains("RunLayr", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(FreshCache) && Directory.GetFiles(FreshCache).Length > 0, "nothing is cached");

        var stderr = new StringWriter();
        int exit = CommandLineInvocation.Guard("run", verbose: false, TextWriter.Null, stderr, (_, _) => throw e);
        Assert.Equal(CommandLineInvocation.InternalError, exit);
        Assert.StartsWith("simdcheckpoint run: internal error: the generated kernels of SimdCheckpoint.Models.CliTinyNetwork do not compile", stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().TrimEnd('\n').Split('\n'));
    }

    /// <summary>Puts the shared cache's entry for <paramref name="source"/> (compiling it there first if need be) into this test's cache.</summary>
    private string CopySharedEntry(GeneratedNetworkSource source)
    {
        var sharedCache = new ModelCache(shared.Path);
        string key = ModelCompiler.CacheKey(source);
        if (!File.Exists(sharedCache.PathOf(key)))
        {
            new ModelCompiler(shared.Path).Compile(source);
        }

        Directory.CreateDirectory(FreshCache);
        string entry = new ModelCache(FreshCache).PathOf(key);
        File.Copy(sharedCache.PathOf(key), entry);
        return entry;
    }
}
