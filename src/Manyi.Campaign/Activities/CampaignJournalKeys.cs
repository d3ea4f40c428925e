namespace Manyi.Campaign.Activities;

/// <summary>
/// The campaign activities' journal lines (see <see cref="Engine.Runtime.JournalKeys"/>), each with its arguments.
/// <c>organization</c> is an organization's name; its id, where kept, is <c>organizationId</c> (read only in the raw view).
/// A reason is a code: <c>noContacts</c>, <c>noValidAddress</c> (with <c>addresses</c>), <c>noOrganization</c>.
/// </summary>
public static class CampaignJournalKeys
{
    /// <summary>Seats confirmed: <c>organization</c>, <c>attendees</c>, <c>session</c> (its date and place), <c>receivedAt</c>.</summary>
    public const string SeatConfirmed = "seat.confirmed";

    /// <summary>Wait-listed: <c>organization</c>, <c>attendees</c>, <c>session</c>, <c>place</c>, <c>receivedAt</c>.</summary>
    public const string SeatWaitListed = "seat.wait-listed";

    /// <summary>Moved up from the wait-list: <c>session</c>.</summary>
    public const string SeatMovedUp = "seat.moved-up";

    /// <summary>The sign-up was withdrawn: no arguments.</summary>
    public const string SignUpWithdrawn = "seat.withdrawn";

    /// <summary>Eligible: <c>index</c>, <c>minimum</c>, <c>surveyEnd</c> (a day), <c>holders</c>.</summary>
    public const string Eligible = "eligibility.eligible";

    /// <summary>Not eligible: <c>reasons</c> (each "中文。English.", as the activity's output has them).</summary>
    public const string NotEligible = "eligibility.not-eligible";

    /// <summary>A notice went out: <c>title</c>, <c>sent</c>, <c>skipped</c> (counts).</summary>
    public const string NoticeQueued = "notice.queued";

    /// <summary>An organization got no notice: <c>organization</c> (null when no organization has the id), <c>organizationId</c>, <c>reason</c>, <c>addresses</c>.</summary>
    public const string NoticeSkipped = "notice.skipped";

    /// <summary>Contact addresses that do not parse were left out: <c>organization</c>, <c>organizationId</c>, <c>addresses</c>.</summary>
    public const string InvalidAddressesLeftOut = "contacts.invalid-left-out";

    /// <summary>Results for ids no organization has were skipped: <c>count</c>, <c>organizationIds</c>.</summary>
    public const string RatingsUnknownOrganizations = "ratings.unknown-organizations";

    /// <summary>The ratings were stored: <c>year</c>, <c>changed</c>, <c>unchanged</c>.</summary>
    public const string RatingsStored = "ratings.stored";

    /// <summary>An organization's rating was not e-mailed: <c>organization</c>, <c>organizationId</c>, <c>reason</c>, <c>addresses</c>.</summary>
    public const string RatingNotEmailed = "rating.not-emailed";

    /// <summary>The rating e-mails went out: <c>count</c> (organizations).</summary>
    public const string RatingsEmailed = "ratings.emailed";

    /// <summary>No certificate: the organization's id cannot name a file: <c>organization</c>, <c>organizationId</c>.</summary>
    public const string CertificateUnnamable = "certificate.unnamable";

    /// <summary>A certificate of an organization no longer rated was removed: <c>year</c>, <c>organization</c>, <c>organizationId</c>.</summary>
    public const string CertificateRemoved = "certificate.removed";

    /// <summary>The certificates were written without Chinese text: <c>missing</c> (the fonts looked for).</summary>
    public const string CertificatesLatinOnly = "certificates.latin-only";

    /// <summary>The certificates were written: <c>year</c>, <c>count</c>.</summary>
    public const string CertificatesWritten = "certificates.written";
}
