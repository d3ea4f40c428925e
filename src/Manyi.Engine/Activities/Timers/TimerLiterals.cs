using Manyi.Engine.Expressions;
using Manyi.Engine.Model;

namespace Manyi.Engine.Activities.Timers;

/// <summary>Reads an input's literal value for save-time checks; expressions are only known when the activity runs.</summary>
internal static class TimerLiterals
{
    /// <summary>
    /// Reads the literal's value; false when the input is an expression or empty (known only when the activity runs),
    /// or when the literal does not convert, which is then a problem.
    /// </summary>
    public static bool TryRead<T>(Input<T> input, string name, List<InputProblem> problems, out T value)
    {
        value = default!;
        if (input.Expression.Type != Expression.Literal || string.IsNullOrWhiteSpace(input.Expression.Text)) return false;
        try
        {
            value = ValueConverter.Convert<T>(input.Expression.Value)!;
            return true;
        }
        catch (InvalidCastException ex)
        {
            problems.Add(new InputProblem(name, ex.Message));
            return false;
        }
    }

    public static TimeZoneInfo? FindTimeZone(string? id, string input, List<InputProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) return zone;
        problems.Add(new InputProblem(input, $"'{id}' is not a known time zone; use an IANA name such as Asia/Shanghai"));
        return null;
    }
}
