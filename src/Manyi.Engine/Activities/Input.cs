using Manyi.Engine.Model;

namespace Manyi.Engine.Activities;

/// <summary>A typed activity input whose value comes from an <see cref="Expression"/>, evaluated when the activity runs.</summary>
public sealed class Input<T>(Expression expression)
{
    public Input(T literal) : this(Expression.FromLiteral(literal)) { }

    public Expression Expression { get; } = expression;

    public static implicit operator Input<T>(T literal) => new(literal);
}
