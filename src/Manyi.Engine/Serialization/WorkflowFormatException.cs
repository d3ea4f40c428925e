namespace Manyi.Engine.Serialization;

/// <summary>A workflow file that cannot be read: malformed JSON or a document that is not an Elsa 3 workflow.</summary>
public sealed class WorkflowFormatException(string message, Exception? inner = null) : Exception(message, inner);
