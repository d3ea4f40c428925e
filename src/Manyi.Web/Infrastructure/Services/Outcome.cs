namespace Manyi.Web.Infrastructure.Services;

/// <summary>
/// Why an application service's operation did not do what was asked, in words people read (Chinese first). Endpoints
/// answer it as problem details (<see cref="OutcomeResults"/>); pages show it as it is.
/// </summary>
public abstract record Failure(string Detail)
{
    /// <summary>Absent, or not for this user: both read the same, so that nobody learns what exists.</summary>
    public sealed record NotFound(string Detail) : Failure(Detail);

    /// <summary>The input was wrong: the messages by field (or parameter) name, and what they amount to (<see cref="Summary"/>), if said.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors, string? Summary = null) : Failure(string.Join(" ", Errors.SelectMany(e => e.Value)))
    {
        public Invalid(string field, string message) : this(new Dictionary<string, string[]> { [field] = [message] }) { }
    }

    /// <summary>
    /// The thing changed meanwhile or is in a state that refuses the operation (closed, claimed by someone else);
    /// <see cref="Title"/> names the kind of conflict (a version conflict) where clients tell kinds apart.
    /// </summary>
    public sealed record Conflict(string Detail, string Title = "Conflict.") : Failure(Detail);

    /// <summary>The user may see the thing but not do this with it.</summary>
    public sealed record Forbidden(string Detail) : Failure(Detail);
}

/// <summary>What an operation came to: its value, or its <see cref="Failure"/>.</summary>
public sealed class Outcome<T>
{
    private Outcome(T? value, Failure? failure) => (Value, Failure) = (value, failure);

    /// <summary>The result when <see cref="Failure"/> is null.</summary>
    public T? Value { get; }

    public Failure? Failure { get; }

    public bool Succeeded => Failure is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}
