using System;
using System.CommandLine;
using System.IO;
using System.Linq;
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
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        ParseResult parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A first word that names no command would otherwise be one "Unrecognized" line per token after it.
            if (args.Length > 0 && command.Subcommands.Count > 0 && !args[0].StartsWith('-') && !IsSubcommand(command, args[0]))
            {
                error.WriteLine($"error: '{args[0]}' is not a command.{Suggestion(command, args[0])} Commands: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
                error.WriteLine("Run 'simdcheckpoint help' for what each does.");
                return BadInput;
            }

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
    /// Adds <c>help [COMMAND]</c> to <paramref name="root"/>: the root's help, or the named command's (as <c>COMMAND --help</c>).
    /// </summary>
    public static void AddHelpCommand(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var name = new Argument<string?>("command") { Description = "The command whose options to show.", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "Show the commands, or one command's options (simdcheckpoint help run is simdcheckpoint run --help).") { name };
        help.SetAction(result =>
        {
            string? target = result.GetValue(name);
            TextWriter output = result.InvocationConfiguration.Output, error = result.InvocationConfiguration.Error;
            if (target is not null && !IsSubcommand(root, target))
            {
                error.WriteLine($"error: '{target}' is not a command.{Suggestion(root, target)} Commands: {string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
                return BadInput;
            }

            return root.Parse(target is null ? ["--help"] : [target, "--help"]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        });
        root.Subcommands.Add(help);
    }

    private static bool IsSubcommand(Command command, string name) =>
        command.Subcommands.Any(c => c.Name == name || c.Aliases.Contains(name));

    /// <summary>" Did you mean 'run'?" for the closest command names within two edits, or nothing.</summary>
    private static string Suggestion(Command command, string word)
    {
        string[] close = [.. command.Subcommands
            .Where(c => !c.Hidden)
            .Select(c => (c.Name, Distance: EditDistance(word.ToLowerInvariant(), c.Name)))
            .Where(c => c.Distance <= Math.Max(1, Math.Min(2, c.Name.Length / 3)) || c.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Distance)
            .Select(c => $"'{c.Name}'")];
        return close.Length == 0 ? string.Empty : $" Did you mean {string.Join(" or ", close)}?";
    }

    /// <summary>Damerau–Levenshtein distance (optimal string alignment): a swapped pair of letters is one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
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
