using Manyi.Campaign;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Manyi.Persistence.Records;

namespace Manyi.Web.Features.Organizations;

/// <summary>
/// What a valid organization is, in one place for the API, the spreadsheet import and the demo data: the id's form, the
/// operators' and levels' names (Chinese first), contacts, e-mail addresses, and the order lists are sorted in.
/// Messages are Chinese first, then English.
/// </summary>
public static partial class OrganizationRules
{
    public const int MaxNameLength = 100;
    public const int MaxOperatorLength = 32;
    public const int MaxCityLength = 32;
    public const int MaxContactNameLength = 100;
    public const int MaxEmailLength = 256;
    public const int MaxPhoneLength = 32;

    /// <summary>Separates several contacts in one spreadsheet cell (a full-width ； is read the same).</summary>
    public const char ContactSeparator = ';';

    /// <summary>The glossary's operators, in its order: the stored name is the Chinese one.</summary>
    public static readonly IReadOnlyList<(string Chinese, string English)> Operators =
        [("移动", "Mobile"), ("联通", "Unicom"), ("电信", "Telecom"), ("广电", "Broadcast")];

    /// <summary>The levels with their Chinese names, as spreadsheets write them.</summary>
    public static readonly IReadOnlyList<(OrganizationLevel Level, string Chinese)> Levels =
        [(OrganizationLevel.City, "市"), (OrganizationLevel.County, "县"), (OrganizationLevel.ServiceSite, "营业厅"), (OrganizationLevel.Team, "班组")];

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex IdPattern();

    /// <summary>Lowercase letters, digits and hyphens (not first or last), at most 64 characters: e.g. <c>mobile-zhengzhou</c>.</summary>
    public static string? CheckId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "编号必填。Id is required.";
        if (id.Length > OrganizationRecord.MaxIdLength)
            return $"编号最多 {OrganizationRecord.MaxIdLength} 个字符。Id has {id.Length} characters; at most {OrganizationRecord.MaxIdLength} are allowed.";
        if (!IdPattern().IsMatch(id))
            return $"编号“{id}”只能包含小写字母、数字和连字符（不以连字符开头或结尾），例如 mobile-zhengzhou。" +
                   $"Id '{id}' may contain only lowercase letters, digits and hyphens (not first or last), e.g. mobile-zhengzhou.";
        return null;
    }

    public static string? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "名称必填。Name is required."
        : name.Length > MaxNameLength ? $"名称最多 {MaxNameLength} 个字符。Name has {name.Length} characters; at most {MaxNameLength} are allowed."
        : null;

    public static string? CheckOperator(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "运营商必填（移动、联通、电信、广电或其他运营商名称）。Operator is required (Mobile, Unicom, Telecom, Broadcast or another operator's name)."
        : NormalizeOperator(value).Length > MaxOperatorLength ? $"运营商最多 {MaxOperatorLength} 个字符。Operator has more than {MaxOperatorLength} characters."
        : null;

    public static string? CheckCity(string? city) =>
        string.IsNullOrWhiteSpace(city) ? "城市必填。City is required."
        : city.Length > MaxCityLength ? $"城市最多 {MaxCityLength} 个字符。City has {city.Length} characters; at most {MaxCityLength} are allowed."
        : null;

    public static string? CheckLastRating(string? rating) =>
        rating is null or "A" or "AA" or "AAA" ? null : $"等级“{rating}”无效，可用 A、AA、AAA 或留空。Rating '{rating}' is not valid; use A, AA, AAA or nothing.";

    /// <summary>
    /// The stored operator name: 移动, 联通, 电信 or 广电 for any of their Chinese, English (any case) or combined spellings
    /// (<c>Mobile</c>, <c>中国移动</c>, <c>移动 Mobile</c>); any other operator's name as given, trimmed.
    /// </summary>
    public static string NormalizeOperator(string value)
    {
        var trimmed = value.Trim();
        foreach (var (chinese, english) in Operators)
            if (trimmed == chinese || trimmed == "中国" + chinese || trimmed.Equals(english, StringComparison.OrdinalIgnoreCase)
                || trimmed.Equals($"{chinese} {english}", StringComparison.OrdinalIgnoreCase))
                return chinese;
        return trimmed;
    }

    /// <summary>A level from its English name (any case), its Chinese name (市, 县, 营业厅, 班组, also 市级, 县级) or both ("市 City").</summary>
    public static OrganizationLevel? ParseLevel(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        foreach (var (level, chinese) in Levels)
            if (trimmed == chinese || trimmed == chinese + "级" || trimmed.Equals(level.ToString(), StringComparison.OrdinalIgnoreCase)
                || trimmed.Equals($"{chinese} {level}", StringComparison.OrdinalIgnoreCase))
                return level;
        return null;
    }

    public static string LevelProblem(string value) =>
        $"级别“{value}”无效，可用：市、县、营业厅、班组。Level '{value}' is not valid; use City, County, ServiceSite or Team.";

    public static string ChineseName(OrganizationLevel level) => Levels.First(l => l.Level == level).Chinese;

    /// <summary>A plain address (no display name, no spaces), with a dot in its domain, that fits the column.</summary>
    public static bool IsValidEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxEmailLength && !value.Any(char.IsWhiteSpace)
        && MailAddress.TryCreate(value, out var address) && address.Address == value && address.DisplayName.Length == 0
        && address.Host.Contains('.') && !address.Host.EndsWith('.');

    public static string EmailProblem(string? value) =>
        $"邮箱“{value}”格式不正确。E-mail '{value}' is not a valid address.";

    /// <summary>Every problem of one contact, or none. <paramref name="label"/> names it in the messages, e.g. "联系人 2 Contact 2".</summary>
    public static IEnumerable<string> CheckContact(string? name, string? email, string? phone, string label)
    {
        if (string.IsNullOrWhiteSpace(name)) yield return $"{label}：姓名必填。{label}: the name is required.";
        else if (name.Length > MaxContactNameLength) yield return $"{label}：姓名最多 {MaxContactNameLength} 个字符。{label}: the name has more than {MaxContactNameLength} characters.";
        else if (HasSeparator(name)) yield return $"{label}：姓名不能含分号。{label}: the name cannot contain a semicolon.";
        if (string.IsNullOrWhiteSpace(email)) yield return $"{label}：邮箱必填。{label}: the e-mail address is required.";
        else if (!IsValidEmail(email)) yield return $"{label}：{EmailProblem(email)}";
        if (phone is not null && phone.Length > MaxPhoneLength) yield return $"{label}：电话最多 {MaxPhoneLength} 个字符。{label}: the phone has more than {MaxPhoneLength} characters.";
        else if (phone is not null && HasSeparator(phone)) yield return $"{label}：电话不能含分号。{label}: the phone cannot contain a semicolon.";
    }

    private static bool HasSeparator(string value) => value.Contains(ContactSeparator) || value.Contains('；');

    /// <summary>Operator (glossary order), then city (administrative order), then id: the same on every database.</summary>
    public static IOrderedEnumerable<T> InListOrder<T>(this IEnumerable<T> items, Func<T, string> @operator, Func<T, string> city, Func<T, string> id) =>
        items.OrderBy(i => ListOrder.OperatorRank(@operator(i))).ThenBy(i => @operator(i), StringComparer.Ordinal)
            .ThenBy(i => ListOrder.CityRank(city(i))).ThenBy(i => city(i), StringComparer.Ordinal)
            .ThenBy(i => id(i), StringComparer.Ordinal);
}
