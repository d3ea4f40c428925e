namespace Manyi.Email;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text, no TLS (a relay on the same host or network only).</summary>
    None,

    /// <summary>Connect in plain text, then upgrade with STARTTLS; refused if the server does not offer it. Port 587 by default.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS). Port 465 by default.</summary>
    SslOnConnect,
}

/// <summary>The <c>Manyi:Smtp</c> section. Without a <see cref="Host"/>, messages go to the pickup folder instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Manyi:Smtp";

    public string? Host { get; set; }

    /// <summary>0 means the usual port for <see cref="Security"/>: 25, 587 or 465.</summary>
    public int Port { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Empty means no authentication.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender of every message, e.g. <c>河南省通信行业协会 &lt;manyi@example.org&gt;</c>.</summary>
    public string From { get; set; } = "满意 Manyi <manyi@example.org>";

    /// <summary>How long one SMTP command may take before the attempt fails.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public int EffectivePort => Port > 0 ? Port : Security switch
    {
        SmtpSecurity.SslOnConnect => 465,
        SmtpSecurity.StartTls => 587,
        _ => 25,
    };
}

/// <summary>The <c>Manyi:Email</c> section.</summary>
public sealed class EmailOptions
{
    public const string Section = "Manyi:Email";

    /// <summary>Where messages are written as .eml files when no SMTP host is configured; default <c>&lt;Manyi:DataDirectory&gt;/mail</c>.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>
    /// A folder of <c>&lt;kind&gt;.subject.liquid</c>, <c>&lt;kind&gt;.text.liquid</c> and <c>&lt;kind&gt;.html.liquid</c> files that
    /// replace or add to the built-in templates. Checked at start-up like the built-in ones.
    /// </summary>
    public string? TemplatesDirectory { get; set; }

    /// <summary>The time zone dates are shown in.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>
    /// How long a sender holds its claim on a message while delivering it. A second sender leaves a claimed message
    /// alone; when a sender dies mid-delivery, its message is sent again after this long.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
