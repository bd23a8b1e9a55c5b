using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace SimdCheckpoint.Tests.Kernels;

/// <summary>
/// Every runtime name the generated code writes (the constants of the contract's <c>EmittedNames</c>) binds to a type,
/// member or namespace of the runtime or contract assembly, so renaming one fails here rather than in every
/// generated network's build.
/// </summary>
public sealed class EmittedNamesTests
{
    private static readonly Assembly[] Assemblies = [typeof(NetworkSpec).Assembly, typeof(InferenceSession<>).Assembly];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (FieldInfo field in EmittedFields())
        {
            data.Add(field.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_emitted_name_binds_to_the_runtime(string constant)
    {
        string text = (string)EmittedFields().Single(f => f.Name == constant).GetRawConstantValue()!;
        Assert.StartsWith("global::", text, StringComparison.Ordinal);
        string name = text["global::".Length..];
        if (Namespace(name))
        {
            return;
        }

        if (FindType(name) is not null)
        {
            return;
        }

        int dot = name.LastIndexOf('.');
        Type? owner = FindType(name[..dot].Replace("<>", string.Empty, StringComparison.Ordinal));
        Assert.True(owner is not null, $"{constant} = {text}: neither a type nor a member of one.");
        string member = name[(dot + 1)..];
        Assert.True(
            owner.GetMember(member, BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance).Length > 0,
            $"{constant} = {text}: {owner.FullName} has no public member {member}.");
    }

    [Fact]
    public void Every_path_the_dispatch_names_is_a_kernel_path_and_has_its_ops_and_tiles()
    {
        foreach (string path in new[] { "Vector512", "Vector256", "Vector128", "Scalar" })
        {
            Assert.True(Enum.TryParse(path, out KernelPath _), path);
            Assert.NotNull(FindType(EmittedNames.OpsFor(path)["global::".Length..]));
            if (path != "Scalar")
            {
                Type tiles = FindType(EmittedNames.StockTiles(path)["global::".Length..])!;
                Assert.NotNull(tiles);
                Assert.Contains(tiles.GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name.StartsWith("Tile", StringComparison.Ordinal));
            }
        }
    }

    private static FieldInfo[] EmittedFields() =>
        typeof(EmittedNames).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).ToArray();

    private static bool Namespace(string name) => Assemblies.Any(a => a.GetTypes().Any(t => t.Namespace == name));

    /// <summary>A type by its C# name: "SimdCheckpoint.IGeneratedNetwork" finds the generic IGeneratedNetwork`1.</summary>
    private static Type? FindType(string name)
    {
        foreach (Assembly assembly in Assemblies)
        {
            Type? type = assembly.GetType(name) ?? assembly.GetType(name + "`1");
            if (type is not null && (type.IsPublic || type.IsNestedPublic))
            {
                return type;
            }
        }

        return null;
    }
}
