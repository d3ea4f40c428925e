using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Manyi.Email.Outbox;
using Manyi.Engine.Activities;
using Manyi.Engine.Expressions;
using Manyi.Engine.Model;
using Manyi.Engine.Runtime;
using MimeKit;

namespace Manyi.Email.Activities;

/// <summary>
/// Elsa's SendEmail: the message goes to the outbox in the same transaction as the workflow's state, and is delivered
/// after that commits, with retries; a retried burst never sends it twice. The body is HTML when it contains tags
/// (as in Elsa), otherwise plain text; it may be a Liquid template.
/// </summary>
[Activity("Elsa.SendEmail", "Email", "Sends an e-mail; it is committed with the workflow's state and delivered after, with retries.")]
public sealed partial class SendEmail : Activity
{
    /// <summary>The outbox kind of these messages.</summary>
    public const string Kind = "workflow";

    [Input(Description = "The sender's address; empty means Manyi:Smtp:From.")]
    public Input<string> From { get; set; } = new("");

    [Input(Description = "The recipients' addresses.", Required = true)]
    public Input<string[]> To { get; set; } = new(new Expression(Expression.Literal, null));

    [Input(Description = "Addresses that receive a copy.")]
    public Input<string[]> Cc { get; set; } = new(new Expression(Expression.Literal, null));

    [Input(Description = "Addresses that receive a blind copy.")]
    public Input<string[]> Bcc { get; set; } = new(new Expression(Expression.Literal, null));

    [Input(Description = "The subject.")]
    public Input<string> Subject { get; set; } = new("");

    [Input(Description = "The body: HTML, or plain text; may be a Liquid template.")]
    public Input<string> Body { get; set; } = new("");

    public override async ValueTask<ActivityStep> ExecuteAsync(ActivityContext context)
    {
        var from = await context.EvaluateAsync(From);
        var addresses = new OutboxAddresses(
            string.IsNullOrWhiteSpace(from) ? null : Address(from, "from"),
            Addresses(await context.EvaluateAsync(To), "to"),
            Addresses(await context.EvaluateAsync(Cc), "cc"),
            Addresses(await context.EvaluateAsync(Bcc), "bcc"));
        if (addresses.To.Count + addresses.Cc.Count + addresses.Bcc.Count == 0)
            throw new InvalidOperationException("Input 'to': the e-mail has no recipients.");

        var subject = await context.EvaluateAsync(Subject) ?? "";
        var body = await context.EvaluateAsync(Body) ?? "";
        var isHtml = HtmlTag().IsMatch(body);
        context.SendEmail(new OutgoingEmail(Key(context), Kind, addresses.ToEntries(), subject.ReplaceLineEndings(" ").Trim(),
            isHtml ? HtmlToText(body) : body, isHtml ? body : null));
        context.Log(EmailJournalKeys.Queued, new JsonObject
        {
            ["subject"] = subject, ["to"] = new JsonArray([.. addresses.To.Concat(addresses.Cc).Concat(addresses.Bcc).Select(m => (JsonNode)m.Address)]),
        });
        return ActivityStep.Done;
    }

    public override IEnumerable<InputProblem> CheckInputs(DateTimeOffset now)
    {
        var problems = new List<InputProblem>();
        if (Literal(From) is { Length: > 0 } from && !EmailAddresses.TryParse(from, out _))
            problems.Add(new InputProblem("from", $"'{from}' is not a valid e-mail address"));
        CheckList(To, "to", problems);
        CheckList(Cc, "cc", problems);
        CheckList(Bcc, "bcc", problems);
        return problems;
    }

    /// <summary>
    /// Unique per instance, activity and execution: the journal sequence moves on with every activity that runs, and a
    /// burst that is retried after a conflict runs from the same sequence, so its e-mail keeps its key and is not doubled.
    /// </summary>
    private static string Key(ActivityContext context)
    {
        var activity = context.Node.Id.Length <= 64
            ? context.Node.Id
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context.Node.Id)))[..32];
        return $"sendemail:{context.Instance.Id}:{activity}:{context.Instance.State.JournalSequence}";
    }

    private static void CheckList(Input<string[]> input, string name, List<InputProblem> problems)
    {
        if (string.IsNullOrEmpty(Literal(input))) return;
        string[]? entries;
        try
        {
            entries = ValueConverter.Convert<string[]>(input.Expression.Value);
        }
        catch (InvalidCastException ex)
        {
            problems.Add(new InputProblem(name, ex.Message));
            return;
        }
        foreach (var entry in (entries ?? []).Where(e => !EmailAddresses.TryParse(e, out _)))
            problems.Add(new InputProblem(name, $"'{entry}' is not a valid e-mail address"));
    }

    /// <summary>The literal's text; null for an expression, known only when the activity runs.</summary>
    private static string? Literal<T>(Input<T> input) =>
        input.Expression.Type == Expression.Literal ? input.Expression.Text?.Trim() : null;

    private static List<MailboxAddress> Addresses(string[]? entries, string input) =>
        (entries ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => Address(e, input)).ToList();

    private static MailboxAddress Address(string text, string input) =>
        EmailAddresses.TryParse(text, out var mailbox)
            ? mailbox
            : throw new InvalidOperationException($"Input '{input}': '{text}' is not a valid e-mail address.");

    /// <summary>A readable plain-text part for an HTML body.</summary>
    internal static string HtmlToText(string html)
    {
        var text = Hidden().Replace(html, "");
        text = Breaks().Replace(text, "\n");
        text = AnyTag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        return string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim())).Trim();
    }

    [GeneratedRegex(@"<\s*(/?[a-zA-Z][a-zA-Z0-9]*)(\s[^>]*)?/?>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"<(script|style|head)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"<\s*(br|/p|/div|/h[1-6]|/li|/tr)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Breaks();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex AnyTag();
}
