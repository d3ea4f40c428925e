namespace Manyi.Email.Activities;

/// <summary>The e-mail activity's journal lines (see <see cref="Engine.Runtime.JournalKeys"/>), each with its arguments.</summary>
public static class EmailJournalKeys
{
    /// <summary>An e-mail was queued: <c>subject</c>, <c>to</c> (every recipient's address, cc and bcc included).</summary>
    public const string Queued = "email.queued";
}
