using System;
using System.CommandLine;
using System.IO;
using System.Text;
using SimdCheckpoint.Cli.Models;
#if !NATIVE_AOT
using SimdCheckpoint.Cli.Compilation;
#endif

namespace SimdCheckpoint.Cli.Commands;

/// <summary>The arguments of <c>simdcheckpoint generate</c>.</summary>
internal sealed record GenerateArguments(
    string Model, string? Out = null, string Namespace = NetworkTypeName.DefaultNamespace, string? Type = null, bool Verbose = false, bool Gradients = false);

/// <summary>
/// <c>simdcheckpoint generate</c>: the C# the source generator emits for a model, as a build would add it for
/// <c>[NetworkFile("file.json")] partial class Type</c> in the given namespace: the text run and grad compile.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        Option<string> model = ModelOptions.Model();
        var outFile = new Option<string?>("--out") { Description = "Write the source to this file instead of stdout (UTF-8 with a byte-order mark, byte for byte what a build writes with EmitCompilerGeneratedFiles)." };
        var ns = new Option<string>("--namespace") { Description = "The namespace of the network type.", DefaultValueFactory = _ => NetworkTypeName.DefaultNamespace };
        var type = new Option<string?>("--type") { Description = "The network type's name (default: from the spec's name, e.g. mnist -> MnistNetwork). A spec without a name takes this one, as the generator names it after the [NetworkFile] type." };
        var gradients = new Option<bool>("--gradients") { Description = "Also emit the backward pass's kernels, as [NetworkFile(..., Gradients = true)] does (what grad and inspect compile)." };
        Option<bool> verbose = ModelOptions.Verbose();
        var command = new Command("generate", "Print the C# kernels the source generator emits for a model (what a [NetworkFile] type of that name and namespace gets at build time; what run compiles, and with --gradients what grad and inspect compile).")
        {
            model, outFile, ns, type, gradients, verbose,
        };
        command.SetAction(result => Run(
            new GenerateArguments(result.GetValue(model)!, result.GetValue(outFile), result.GetValue(ns)!, result.GetValue(type), result.GetValue(verbose), result.GetValue(gradients)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The command's in-process entry point: its exit code, with errors reported on <paramref name="error"/>.</summary>
    public static int Run(GenerateArguments arguments, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
#if NATIVE_AOT
        _ = output;
        error.WriteLine(ModelOptions.NeedsJit("generate"));
        return CommandLineInvocation.BadInput;
#else
        return CommandLineInvocation.Guard("generate", arguments.Verbose, output, error, (o, e) => RunCore(arguments, o, e));
#endif
    }

#if !NATIVE_AOT
    private static int RunCore(GenerateArguments a, TextWriter output, TextWriter error)
    {
        LoadedModel model = ModelFile.Load(a.Model, weightsPath: null, WeightLayout.OutputsByInputs, a.Type);
        GeneratedNetworkSource source = GeneratedNetworkSource.Emit(model, a.Gradients, a.Namespace, a.Type);
        if (a.Out is null)
        {
            output.Write(source.Generated);
            return CommandLineInvocation.Success;
        }

        try
        {
            // UTF-8 with a byte-order mark, as the compiler writes EmitCompilerGeneratedFiles: the two files compare equal.
            File.WriteAllText(a.Out, source.Generated, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException(a.Out, "cannot be written: " + e.Message, e);
        }

        error.WriteLine($"simdcheckpoint generate: wrote the kernels of {model.SourceDescription} as {source.FullTypeName} to {a.Out} ({source.Generated.Length:N0} characters)");
        return CommandLineInvocation.Success;
    }
#endif
}
