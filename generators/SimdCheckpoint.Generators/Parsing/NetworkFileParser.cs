using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SimdCheckpoint.Generators.Diagnostics;
using SimdCheckpoint.Generators.Model;
using SimdCheckpoint.Json;
using SimdCheckpoint.Onnx;

namespace SimdCheckpoint.Generators.Parsing;

/// <summary>
/// <c>[NetworkFile("path")]</c>: reads the attribute, finds the file among the project's AdditionalFiles, and reads
/// the spec from it with the same reader the runtime uses.
/// </summary>
internal static class NetworkFileParser
{
    public static NetworkFileDeclaration ParseDeclaration(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        TypeDeclarationModel type = TypeDeclarationModel.From(symbol, syntax);
        var diagnostics = new List<DiagnosticInfo>();
        AttributeData attribute = context.Attributes[0];
        string path = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string p ? p : string.Empty;
        LocationInfo? pathLocation = DeclarationChecks.AttributeLocation(attribute);
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } a)
        {
            pathLocation = LocationInfo.From(a.ArgumentList.Arguments[0]);
        }

        bool skip = DeclarationChecks.HasAttribute(symbol, DeclarationChecks.NetworkAttribute)
            || DeclarationChecks.IsDuplicated(symbol, DeclarationChecks.NetworkFileAttribute);
        if (!skip)
        {
            DeclarationChecks.CheckType(symbol, syntax, diagnostics);
            foreach (AttributeData other in symbol.GetAttributes())
            {
                if (other.AttributeClass?.ToDisplayString() == DeclarationChecks.DenseAttribute)
                {
                    diagnostics.Add(new DiagnosticInfo(
                        DiagnosticDescriptors.ConflictingDeclarations,
                        DeclarationChecks.AttributeLocation(other),
                        $"'{type.FullName}' takes its layers from '{path}'; remove its [Dense] attributes."));
                    break;
                }
            }
        }

        TileOverride tile = DeclarationChecks.ReadTile(attribute, diagnostics);
        bool gradients = DeclarationChecks.ReadGradients(attribute);
        string? directory = null;
        try
        {
            string file = syntax.SyntaxTree.FilePath;
            directory = string.IsNullOrEmpty(file) ? null : System.IO.Path.GetDirectoryName(file);
        }
        catch (ArgumentException)
        {
            // An odd path in a test compilation: relative resolution simply falls back to suffix matching.
        }

        return new NetworkFileDeclaration(type, path, directory, pathLocation, tile, gradients, diagnostics.ToEquatableArray(), skip);
    }

    public static NetworkModel? Resolve((NetworkFileDeclaration Declaration, ImmutableArray<AdditionalFileModel> Files) input, CancellationToken cancellationToken)
    {
        NetworkFileDeclaration d = input.Declaration;
        if (d.Skip)
        {
            return null;
        }

        var diagnostics = new List<DiagnosticInfo>(d.Diagnostics);
        try
        {
            return ResolveCore(d, input.Files, diagnostics, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(new DiagnosticInfo(
                DiagnosticDescriptors.InternalError,
                d.PathLocation,
                $"The SimdCheckpoint generator failed on '{d.Type.FullName}': {e.GetType().Name}: {e.Message}. Please report this."));
            return new NetworkModel(d.Type, null, d.Tile, d.Gradients, d.Path, diagnostics.ToEquatableArray());
        }
    }

    private static NetworkModel ResolveCore(
        NetworkFileDeclaration d, ImmutableArray<AdditionalFileModel> files, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        NetworkModel Fail(DiagnosticDescriptor descriptor, string message)
        {
            diagnostics.Add(new DiagnosticInfo(descriptor, d.PathLocation, message));
            return new NetworkModel(d.Type, null, d.Tile, d.Gradients, d.Path, diagnostics.ToEquatableArray());
        }

        if (d.Path.Trim().Length == 0)
        {
            return Fail(DiagnosticDescriptors.NetworkFileNotFound, $"[NetworkFile] on '{d.Type.FullName}' needs the path of a spec file.");
        }

        if (!d.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !IsOnnx(d.Path))
        {
            return Fail(
                DiagnosticDescriptors.UnsupportedNetworkFile,
                $"'{d.Path}' is not a supported network file; [NetworkFile] reads .json specs and .onnx models.");
        }

        List<AdditionalFileModel> matches = FindFile(d, files);
        if (matches.Count == 0)
        {
            var names = new List<string>();
            foreach (AdditionalFileModel f in files)
            {
                names.Add(System.IO.Path.GetFileName(f.Path));
            }

            string known = names.Count == 0 ? "the project has no .json or .onnx AdditionalFiles" : "the .json and .onnx AdditionalFiles are: " + string.Join(", ", names);
            return Fail(
                DiagnosticDescriptors.NetworkFileNotFound,
                $"'{d.Path}' (from [NetworkFile] on '{d.Type.FullName}') is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{d.Path}\" /> to the project ({known}).");
        }

        if (matches.Count > 1)
        {
            var paths = new List<string>();
            foreach (AdditionalFileModel f in matches)
            {
                paths.Add(f.Path);
            }

            return Fail(
                DiagnosticDescriptors.NetworkFileNotFound,
                $"'{d.Path}' matches several AdditionalFiles ({string.Join(", ", paths)}); give more of its path.");
        }

        AdditionalFileModel file = matches[0];
        if (file.IsOnnx)
        {
            foreach (SpecProblem p in file.OnnxProblems)
            {
                diagnostics.Add(new DiagnosticInfo(DiagnosticDescriptors.ForId(p.Id), d.PathLocation, p.Message));
            }

            if (file.OnnxProblems.Count > 0 || file.OnnxSpec is null)
            {
                return new NetworkModel(d.Type, null, d.Tile, d.Gradients, d.Path, diagnostics.ToEquatableArray());
            }

            NetworkSpec onnxSpec = file.OnnxSpec.WithName(d.Type.Name);
            bool failed = diagnostics.Exists(x => x.IsError);
            return new NetworkModel(d.Type, failed ? null : onnxSpec, d.Tile, d.Gradients, d.Path, diagnostics.ToEquatableArray());
        }

        if (file.Text is null)
        {
            return Fail(DiagnosticDescriptors.NetworkFileNotFound, $"'{file.Path}' could not be read.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        JsonSpecReadResult result = JsonSpecReader.Read(file.Text, d.Type.Name);
        if (result.Problems.Count > 0)
        {
            SourceText text = SourceText.From(file.Text);
            foreach (LocatedSpecProblem p in result.Problems)
            {
                int start = Math.Min(p.Start, text.Length);
                var span = new TextSpan(start, Math.Min(p.Length, text.Length - start));
                diagnostics.Add(new DiagnosticInfo(
                    DiagnosticDescriptors.ForId(p.Problem.Id),
                    new LocationInfo(file.Path, span, text.Lines.GetLinePositionSpan(span)),
                    $"{System.IO.Path.GetFileName(file.Path)}: {p.Problem.Message}"));
            }
        }

        bool hasErrors = diagnostics.Exists(x => x.IsError);
        return new NetworkModel(d.Type, hasErrors ? null : result.Spec, d.Tile, d.Gradients, d.Path, diagnostics.ToEquatableArray());
    }

    public static bool IsOnnx(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads an ONNX AdditionalFile into its layers with the reader the runtime uses. The compiler hands additional files
    /// to generators only as decoded text, which cannot carry a binary protobuf, so the bytes are read from the file's
    /// path; the file is still an AdditionalFile, so the compiler reruns this step when it changes.
    /// </summary>
    public static AdditionalFileModel ReadOnnx(AdditionalText file, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes;
        try
        {
#pragma warning disable RS1035 // File IO: the only way to get an additional file's bytes (see above).
            bytes = System.IO.File.ReadAllBytes(file.Path);
#pragma warning restore RS1035
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return AdditionalFileModel.ForUnreadableOnnx(file.Path, $"'{file.Path}' could not be read: {e.Message}");
        }

        string name = System.IO.Path.GetFileName(file.Path);
        (NetworkSpec? spec, List<SpecProblem> problems) = OnnxReading.Read(bytes, System.IO.Path.GetFileNameWithoutExtension(name), name);
        return AdditionalFileModel.ForOnnx(file.Path, spec, problems);
    }

    /// <summary>
    /// The attribute's path relative to the declaring file if that is an additional file; otherwise every additional
    /// file whose path ends with it, on a path-separator boundary.
    /// </summary>
    private static List<AdditionalFileModel> FindFile(NetworkFileDeclaration d, ImmutableArray<AdditionalFileModel> files)
    {
        string wanted = Normalize(d.Path);
        while (wanted.StartsWith("./", StringComparison.Ordinal))
        {
            wanted = wanted.Substring(2);
        }

        var result = new List<AdditionalFileModel>();
        if (d.DeclaringDirectory is not null)
        {
            string relative;
            try
            {
                relative = Normalize(System.IO.Path.GetFullPath(System.IO.Path.Combine(d.DeclaringDirectory, d.Path)));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or System.IO.PathTooLongException)
            {
                relative = string.Empty;
            }

            foreach (AdditionalFileModel f in files)
            {
                if (string.Equals(Normalize(f.Path), relative, StringComparison.Ordinal))
                {
                    result.Add(f);
                    return result;
                }
            }
        }

        foreach (AdditionalFileModel f in files)
        {
            string path = Normalize(f.Path);
            if (path == wanted || path.EndsWith("/" + wanted, StringComparison.Ordinal))
            {
                result.Add(f);
            }
        }

        return result;
    }

    private static string Normalize(string path) => path.Replace('\\', '/');
}
