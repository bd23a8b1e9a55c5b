using System;

namespace SimdCheckpoint.Cli.Commands;

/// <summary>
/// A problem with what the user gave a command (a missing file, a wrong shape, a bad option value): reported as one
/// line naming the file or option, exit code 2, never a stack trace.
/// </summary>
internal sealed class UserInputException : Exception
{
    public UserInputException(string subject, string problem)
        : base($"{subject}: {problem}")
    {
        Subject = subject;
    }

    /// <summary>For a message that already names <paramref name="subject"/> in its own way ("spec.json(3,7): ...").</summary>
    public UserInputException(string subject, string message, bool messageNamesSubject, Exception? inner = null)
        : base(messageNamesSubject ? message : $"{subject}: {message}", inner)
    {
        Subject = subject;
    }

    public UserInputException(string subject, string problem, Exception inner)
        : base($"{subject}: {problem}", inner)
    {
        Subject = subject;
    }

    /// <summary>The file or option the problem is about.</summary>
    public string Subject { get; }
}
