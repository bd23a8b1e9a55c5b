using System;
using Microsoft.CodeAnalysis.CSharp;
using SimdCheckpoint.Cli.Commands;
using SimdCheckpoint.Cli.Models;
using SimdCheckpoint.Generators.Emitting;
using SimdCheckpoint.Generators.Model;

namespace SimdCheckpoint.Cli.Compilation;

/// <summary>
/// The C# of one network: the kernels the source generator's own emitter writes for the model (the text a build
/// would add for <c>[NetworkFile("file.json")] public sealed partial class Type;</c> in that namespace), and that
/// one-line partial declaration.
/// </summary>
internal sealed class GeneratedNetworkSource
{
    public GeneratedNetworkSource(string ns, string typeName, string declaration, string generated)
    {
        Namespace = ns;
        TypeName = typeName;
        Declaration = declaration;
        Generated = generated;
    }

    public string Namespace { get; }

    public string TypeName { get; }

    public string FullTypeName => Namespace + "." + TypeName;

    /// <summary>The user's half: <c>public sealed partial class Type</c>.</summary>
    public string Declaration { get; }

    /// <summary>The generator's half, exactly as <c>NetworkEmitter.Emit</c> returns it.</summary>
    public string Generated { get; }

    /// <summary>
    /// Emits the kernels of <paramref name="model"/> on <paramref name="typeName"/> (default: named after the spec) in
    /// <paramref name="ns"/>, with the backward pass's when <paramref name="gradients"/> (as <c>Gradients = true</c> would).
    /// </summary>
    /// <exception cref="UserInputException">The namespace or type name is not a C# name.</exception>
    public static GeneratedNetworkSource Emit(LoadedModel model, bool gradients, string ns = NetworkTypeName.DefaultNamespace, string? typeName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        typeName ??= NetworkTypeName.FromSpecName(model.Spec.Name);
        if (!IsName(ns, dotted: true))
        {
            throw new UserInputException("--namespace", $"'{ns}' is not a C# namespace name.");
        }

        if (!IsName(typeName, dotted: false))
        {
            throw new UserInputException("--type", $"'{typeName}' is not a C# type name.");
        }

        var type = new TypeDeclarationModel(ns, ImmutableEquatableArray<TypeHeader>.Empty, new TypeHeader("class", typeName));
        string generated = NetworkEmitter.Emit(type, model.Spec, default, gradients, model.SourceDescription);
        string declaration =
            $"// The declaration `simdcheckpoint` pairs with the generated kernels of {model.SourceDescription}.\n" +
            $"namespace {ns}\n{{\n    public sealed partial class {typeName}\n    {{\n    }}\n}}\n";
        return new GeneratedNetworkSource(ns, typeName, declaration, generated);
    }

    private static bool IsName(string name, bool dotted)
    {
        foreach (string part in dotted ? name.Split('.') : [name])
        {
            if (!SyntaxFacts.IsValidIdentifier(part) || SyntaxFacts.GetKeywordKind(part) != SyntaxKind.None)
            {
                return false;
            }
        }

        return true;
    }
}
