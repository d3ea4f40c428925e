using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Manyi.Engine.Runtime;

namespace Manyi.Email.Invitations;

/// <summary>
/// A calendar invitation for a dated event, such as the training, as an .ics attachment (iCalendar, METHOD:REQUEST)
/// that mail programs offer to add to the calendar. Times are written in <see cref="TimeZone"/> with its VTIMEZONE.
/// Keep <see cref="Uid"/> stable for one event and raise <see cref="Sequence"/> to update an invitation already sent.
/// </summary>
public sealed record CalendarInvitation(string Uid, string Summary, DateTimeOffset Start, DateTimeOffset End)
{
    public const string ContentType = "text/calendar; method=REQUEST; charset=utf-8";

    public string? Location { get; init; }
    public string? Description { get; init; }
    public string TimeZone { get; init; } = "Asia/Shanghai";

    /// <summary>The organizer's address (RFC 5546 asks for one in a request), e.g. the association's.</summary>
    public string? Organizer { get; init; }
    public string? OrganizerName { get; init; }
    public IReadOnlyList<string> Attendees { get; init; } = [];
    public int Sequence { get; init; }

    /// <summary>The iCalendar text.</summary>
    public string ToIcs(DateTimeOffset stamp)
    {
        if (End <= Start) throw new ArgumentException($"The invitation '{Summary}' ends ({End:O}) before it starts ({Start:O}).");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
            throw new ArgumentException($"'{TimeZone}' is not a known time zone; use an IANA name such as Asia/Shanghai.");

        var calendar = new Calendar { Method = "REQUEST", ProductId = "-//Manyi//Manyi 满意//ZH" };
        calendar.AddTimeZone(TimeZone);
        var @event = new CalendarEvent
        {
            Uid = Uid,
            Summary = Summary,
            Location = Location,
            Description = Description,
            DtStart = Local(Start, zone),
            DtEnd = Local(End, zone),
            DtStamp = new CalDateTime(stamp.UtcDateTime, CalDateTime.UtcTzId),
            Sequence = Sequence,
            Status = "CONFIRMED",
        };
        if (Organizer is not null)
            @event.Organizer = new Organizer("mailto:" + Organizer) { CommonName = OrganizerName };
        foreach (var attendee in Attendees)
            @event.Attendees.Add(new Attendee("mailto:" + attendee) { Role = "REQ-PARTICIPANT", ParticipationStatus = "NEEDS-ACTION", Rsvp = true });
        calendar.Events.Add(@event);
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("Ical.Net wrote no calendar.");
    }

    public EmailAttachment ToAttachment(DateTimeOffset stamp, string fileName = "invite.ics") =>
        new(fileName, ContentType, Encoding.UTF8.GetBytes(ToIcs(stamp)));

    private CalDateTime Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        new(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified), TimeZone);
}
