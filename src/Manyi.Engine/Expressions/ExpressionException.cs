namespace Manyi.Engine.Expressions;

/// <summary>An expression that failed to parse or to run; the message says which language and why.</summary>
public sealed class ExpressionException(string message, Exception? inner = null) : Exception(message, inner);
