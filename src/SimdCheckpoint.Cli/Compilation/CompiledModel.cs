using System;
using System.Globalization;

namespace SimdCheckpoint.Cli.Compilation;

/// <summary>Where a compiled network came from.</summary>
internal enum ModelOrigin
{
    /// <summary>Compiled now (and cached, when <see cref="CompiledModel.CachePath"/> is set).</summary>
    Compiled,

    /// <summary>Loaded from the cache; Roslyn did not run.</summary>
    Cache,

    /// <summary>The cache entry was corrupt or unloadable; compiled again and the entry replaced.</summary>
    Recompiled,
}

/// <summary>A network type compiled from a model file, loaded and ready for <c>MakeGenericMethod</c>.</summary>
internal sealed record CompiledModel(Type NetworkType, ModelOrigin Origin, TimeSpan Elapsed, string? CachePath, string? Note)
{
    /// <summary>"compiled the kernels of mnist.json in 2.41 s", "kernels of mnist.json from the cache (38 ms)".</summary>
    public string Describe(string model, bool verbose)
    {
        string time = Elapsed.TotalSeconds >= 1
            ? Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s"
            : Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";
        string where = verbose && CachePath is not null ? $" [{CachePath}]" : string.Empty;
        return Origin switch
        {
            ModelOrigin.Cache => $"kernels of {model} from the cache ({time}){where}",
            ModelOrigin.Recompiled => $"the cached kernels of {model} {Note}; compiled them again in {time}{where}",
            _ => $"compiled the kernels of {model} in {time}{where}{(Note is null ? string.Empty : $" ({Note})")}",
        };
    }
}
