using System;
using System.Globalization;
using System.Reflection;

namespace SimdCheckpoint.Cli.Compilation;

/// <summary>Calls a generic method <c>M&lt;TNetwork&gt;</c> for a network type that exists only at run time.</summary>
internal static class NetworkTypeCall
{
    /// <summary>
    /// Invokes the static method <paramref name="name"/> of <paramref name="owner"/> with <paramref name="network"/> as
    /// its type argument. Exceptions come through unwrapped, so the commands report them as if the call were direct.
    /// </summary>
    public static TResult Invoke<TResult>(Type owner, string name, Type network, params object?[] arguments)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(network);
        MethodInfo method = owner.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(owner.FullName, name);
        return (TResult)method.MakeGenericMethod(network).Invoke(null, BindingFlags.DoNotWrapExceptions, null, arguments, CultureInfo.InvariantCulture)!;
    }
}
