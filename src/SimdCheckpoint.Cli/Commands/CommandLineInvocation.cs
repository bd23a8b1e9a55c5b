using System;
using System.CommandLine;
using System.IO;
using SimdCheckpoint.Npy;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// Exit codes and error reporting shared by the commands: 0 success, 1 an internal error or a failed check, 2 bad
/// input (a parse error, a missing or malformed file, a shape or spec that does not fit). Every error is one line on
/// stderr; a stack trace only with <c>--verbose</c>, and only for internal errors.
/// </summary>
internal static class CommandLineInvocation
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;

    /// <summary>
    /// Parses and runs <paramref name="command"/> with the given writers; parse errors (a missing required option, an
    /// unknown value) are listed on <paramref name="error"/> with exit code 2 rather than System.CommandLine's 1.
    /// </summary>
    public static int Invoke(Command command, string[] args, TextWriter output, TextWriter error)
    {
        ParseResult parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError e in parse.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine($"Run '{string.Join(' ', CommandPath(parse))} --help' for the options.");
            return BadInput;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>
    /// Runs a command body, turning the exceptions a user can cause into one line and exit code 2, and anything else into
    /// an internal-error line and exit code 1.
    /// </summary>
    public static int Guard(string name, bool verbose, TextWriter output, TextWriter error, Func<TextWriter, TextWriter, int> body)
    {
        try
        {
            return body(output, error);
        }
        catch (Exception e) when (IsUserError(e))
        {
            error.WriteLine($"simdcheckpoint {name}: error: {OneLine(e.Message)}");
            return BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"simdcheckpoint {name}: internal error: {OneLine(e is InternalErrorException ? e.Message : e.GetType().Name + ": " + e.Message)}");
            if (verbose)
            {
                error.WriteLine(e.ToString());
            }

            return InternalError;
        }
    }

    /// <summary>Errors in what the user gave us, as opposed to our own bugs.</summary>
    public static bool IsUserError(Exception e) =>
        e is UserInputException or NpyFormatException or WeightsException or NetworkSpecException;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string[] CommandPath(ParseResult parse)
    {
        var names = new System.Collections.Generic.List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
        {
            if (r is System.CommandLine.Parsing.CommandResult c)
            {
                names.Insert(0, c.Command is RootCommand ? "simdcheckpoint" : c.Command.Name);
            }
        }

        return names.Count > 0 && names[0] == "simdcheckpoint" ? [.. names] : ["simdcheckpoint", .. names];
    }
}

/// <summary>Something went wrong on our side (a bug, or generated code that does not compile): exit code 1.</summary>
internal sealed class InternalErrorException(string message) : Exception(message);
