namespace Manyi.Email.Templates;

/// <summary>E-mail templates that cannot be used: each problem names its file.</summary>
public sealed class EmailTemplateException(IReadOnlyList<string> problems)
    : Exception("E-mail templates are not valid: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
