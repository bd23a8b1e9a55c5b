using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using SimdCheckpoint.Cli.Commands;

namespace SimdCheckpoint.Cli.Compilation;

/// <summary>
/// Compiles a <see cref="GeneratedNetworkSource"/> in memory with Roslyn, the way a project that declares the network
/// compiles the generator's output, caches the assembly (<see cref="ModelCache"/>) under the SHA-256 of everything
/// that decides its bytes, and loads it into its own <see cref="AssemblyLoadContext"/>. The runtime it binds to is the
/// one this process runs, so the loaded type is an <see cref="IGeneratedNetwork{TSelf}"/> of this process's
/// SimdCheckpoint and its kernels are exactly the ones a build would have generated.
/// </summary>
internal sealed class ModelCompiler
{
    /// <summary>Errors quoted when generated code does not compile.</summary>
    private const int QuotedDiagnostics = 5;

    /// <summary>
    /// The settings the repository's projects compile generated code with (Directory.Build.props: LangVersion latest,
    /// Nullable enable; the CLI's project: no unsafe code), in Release. Part of the cache key: change one, change both.
    /// </summary>
    private const string Settings = "C# latest; optimize+; nullable enable; unsafe-; deterministic; dll";

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None);

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: false,
        deterministic: true);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly ConcurrentDictionary<string, object> Gates = new(StringComparer.Ordinal);

    private readonly ModelCache? _cache;

    /// <param name="cacheDirectory">Where compiled networks are kept; null compiles every time and keeps nothing.</param>
    public ModelCompiler(string? cacheDirectory)
    {
        _cache = cacheDirectory is null ? null : new ModelCache(cacheDirectory);
    }

    public string? CacheDirectory => _cache?.Directory;

    /// <summary>A compiler caching where <see cref="ModelCache.ResolveDirectory"/> says, from this process's environment.</summary>
    public static ModelCompiler FromEnvironment() => new(ModelCache.ResolveDirectory(Environment.GetEnvironmentVariable));

    /// <summary>
    /// The cache key: SHA-256 of the generated source and declaration, the SimdCheckpoint runtime's identity and MVID
    /// (a rebuilt runtime may change what the kernels call), the compiler's version, the framework and the settings.
    /// </summary>
    public static string CacheKey(GeneratedNetworkSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Assembly runtime = typeof(InferenceSession<>).Assembly;
        Assembly contract = typeof(NetworkSpec).Assembly;
        Assembly compiler = typeof(CSharpCompilation).Assembly;
        var text = new StringBuilder()
            .Append("simdcheckpoint compiled network v2\n")
            .Append("settings: ").Append(Settings).Append('\n')
            .Append("runtime: ").Append(runtime.FullName).Append(' ').Append(runtime.ManifestModule.ModuleVersionId.ToString("N")).Append('\n')
            .Append("contract: ").Append(contract.FullName).Append(' ').Append(contract.ManifestModule.ModuleVersionId.ToString("N")).Append('\n')
            .Append("compiler: ").Append(compiler.FullName).Append(' ')
            .Append(compiler.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion).Append('\n')
            .Append("framework: ").Append(RuntimeInformation.FrameworkDescription).Append('\n')
            .Append("type: ").Append(source.FullTypeName).Append('\n')
            .Append("--- declaration\n").Append(source.Declaration)
            .Append("--- generated\n").Append(source.Generated);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// What run, grad and inspect do first: emit the model's kernels, load them from the cache or compile them, and say
    /// which (and how long it took) on <paramref name="error"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="gradients">Whether the commands need the backward pass's kernels (grad, inspect's schedules).</param>
    /// <param name="cacheDirectory">The cache; null for the one <see cref="ModelCache.ResolveDirectory"/> names.</param>
    /// <param name="verbose">Also print the cache entry's path.</param>
    /// <param name="error">Where the line goes.</param>
    /// <param name="command">The command, for the line's prefix.</param>
    public static CompiledModel CompileAndReport(Models.LoadedModel model, bool gradients, string? cacheDirectory, bool verbose, TextWriter error, string command)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(error);
        ModelCompiler compiler = cacheDirectory is null ? FromEnvironment() : new ModelCompiler(cacheDirectory);
        CompiledModel compiled = compiler.Compile(GeneratedNetworkSource.Emit(model, gradients));
        error.WriteLine($"simdcheckpoint {command}: {compiled.Describe(model.SourceDescription, verbose)}");
        return compiled;
    }

    /// <summary>Loads the network from the cache, or compiles (and caches) it.</summary>
    /// <exception cref="InternalErrorException">The generated code does not compile, or the assembly does not hold the network.</exception>
    public CompiledModel Compile(GeneratedNetworkSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        long start = Stopwatch.GetTimestamp();
        string key = CacheKey(source);

        // Callers in one process that want the same entry wait for the first, which then serves them from the cache.
        lock (Gates.GetOrAdd(_cache?.Directory + "\n" + key, _ => new object()))
        {
            return CompileOrLoad(source, key, start);
        }
    }

    private CompiledModel CompileOrLoad(GeneratedNetworkSource source, string key, long start)
    {
        string? corrupt = null;
        if (_cache is not null)
        {
            switch (_cache.TryRead(key, out byte[]? cached, out string? problem))
            {
                case ModelCache.Lookup.Found:
                    try
                    {
                        return new CompiledModel(Load(cached!, source, key), ModelOrigin.Cache, Stopwatch.GetElapsedTime(start), _cache.PathOf(key), null);
                    }
                    catch (BadImageFormatException e)
                    {
                        corrupt = $"could not be loaded ({e.Message})";
                    }

                    break;
                case ModelCache.Lookup.Corrupt:
                    corrupt = problem;
                    break;
            }
        }

        byte[] image = Emit(source, AssemblyName(source, key));
        string? cachePath = null;
        string? note = corrupt;
        if (_cache is not null)
        {
            try
            {
                cachePath = _cache.Write(key, image);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                note = (note is null ? string.Empty : note + "; ") + $"not cached: {e.Message}";
            }
        }

        Type type = Load(image, source, key);
        return new CompiledModel(type, corrupt is null ? ModelOrigin.Compiled : ModelOrigin.Recompiled, Stopwatch.GetElapsedTime(start), cachePath, note);
    }

    /// <summary>Compiles to an assembly image.</summary>
    /// <exception cref="InternalErrorException">The generated code does not compile; the message quotes the first errors.</exception>
    public static byte[] Emit(GeneratedNetworkSource source, string assemblyName)
    {
        ArgumentNullException.ThrowIfNull(source);
        SyntaxTree[] trees =
        [
            CSharpSyntaxTree.ParseText(source.Declaration, ParseOptions, source.FullTypeName + ".cs", Encoding.UTF8),
            CSharpSyntaxTree.ParseText(source.Generated, ParseOptions, source.FullTypeName + ".g.cs", Encoding.UTF8),
        ];
        CSharpCompilation compilation = CSharpCompilation.Create(assemblyName, trees, References.Value, CompilationOptions);
        using var stream = new MemoryStream();
        EmitResult result = compilation.Emit(stream);
        if (!result.Success)
        {
            Diagnostic[] errors = [.. result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)];
            string quoted = string.Join("; ", errors.Take(QuotedDiagnostics).Select(d => d.ToString()));
            throw new InternalErrorException(
                $"the generated kernels of {source.FullTypeName} do not compile ({errors.Length} error(s)), which is a bug in SimdCheckpoint; please report it with the model file. {quoted}");
        }

        return stream.ToArray();
    }

    private static string AssemblyName(GeneratedNetworkSource source, string key) => $"{source.FullTypeName}.{key[..16]}";

    private static Type Load(byte[] image, GeneratedNetworkSource source, string key)
    {
        // Its own context, so models of the same name (or the same model twice) can be loaded side by side; it resolves
        // SimdCheckpoint from the default context, which makes IGeneratedNetwork<T> this process's interface.
        var context = new AssemblyLoadContext(AssemblyName(source, key));
        Assembly assembly = context.LoadFromStream(new MemoryStream(image, writable: false));
        Type type = assembly.GetType(source.FullTypeName, throwOnError: false)
            ?? throw new BadImageFormatException($"it holds no type {source.FullTypeName}");
        if (!typeof(IGeneratedNetwork<>).MakeGenericType(type).IsAssignableFrom(type))
        {
            throw new InternalErrorException($"{source.FullTypeName} was compiled against another SimdCheckpoint runtime than this process runs.");
        }

        return type;
    }

    /// <summary>
    /// The shared framework's assemblies from the trusted platform list, and SimdCheckpoint: what a network project
    /// sees. The process's other dependencies (Roslyn, the generator and its internal copies of the spec types, the
    /// plotting libraries) are left out, so the compilation is the same in the CLI and in a test host.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)
            ?? throw new InternalErrorException("the .NET runtime's assemblies are not on disk, so no network can be compiled.");
        string runtime = typeof(InferenceSession<>).Assembly.Location;
        string contract = typeof(NetworkSpec).Assembly.Location;
        if (runtime.Length == 0 || contract.Length == 0)
        {
            throw new InternalErrorException("SimdCheckpoint.dll is not on disk (a single-file build?), so no network can be compiled against it.");
        }

        string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        var paths = new List<string>();
        foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(Path.GetDirectoryName(path), framework, StringComparison.Ordinal) && path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            {
                paths.Add(path);
            }
        }

        paths.Sort(StringComparer.Ordinal);
        paths.Add(runtime);
        paths.Add(contract);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
