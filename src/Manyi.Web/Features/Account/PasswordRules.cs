using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Manyi.Web.Features.Account;

/// <summary>
/// The password rules (IdentitySetup's options) in words people read, Chinese then English: as a hint under a new
/// password's field, and as the field's errors when Identity refuses a password.
/// </summary>
public static class PasswordRules
{
    /// <summary>"At least 10 characters, with a digit and a lower-case letter", from the configured options.</summary>
    public static (string Zh, string En) Hint(PasswordOptions options)
    {
        var zh = new List<string>();
        var en = new List<string>();
        if (options.RequireDigit) { zh.Add("数字"); en.Add("a digit"); }
        if (options.RequireLowercase) { zh.Add("小写字母"); en.Add("a lower-case letter"); }
        if (options.RequireUppercase) { zh.Add("大写字母"); en.Add("an upper-case letter"); }
        if (options.RequireNonAlphanumeric) { zh.Add("符号"); en.Add("a symbol"); }
        return zh.Count == 0
            ? ($"至少 {options.RequiredLength} 个字符。", $"At least {options.RequiredLength} characters.")
            : ($"至少 {options.RequiredLength} 个字符，须包含{string.Join("、", zh)}。",
               $"At least {options.RequiredLength} characters, with {string.Join(" and ", en)}.");
    }

    /// <summary>One refusal of Identity's, in both languages; unknown codes keep Identity's own (English) description.</summary>
    public static string Describe(IdentityError error, PasswordOptions options) => error.Code switch
    {
        nameof(IdentityErrorDescriber.PasswordTooShort) =>
            $"密码太短：至少需要 {options.RequiredLength} 个字符。Too short: use at least {options.RequiredLength} characters.",
        nameof(IdentityErrorDescriber.PasswordRequiresDigit) => "密码须包含至少一个数字（0–9）。Include at least one digit (0–9).",
        nameof(IdentityErrorDescriber.PasswordRequiresLower) => "密码须包含至少一个小写字母（a–z）。Include at least one lower-case letter (a–z).",
        nameof(IdentityErrorDescriber.PasswordRequiresUpper) => "密码须包含至少一个大写字母（A–Z）。Include at least one upper-case letter (A–Z).",
        nameof(IdentityErrorDescriber.PasswordRequiresNonAlphanumeric) => "密码须包含至少一个符号。Include at least one symbol.",
        nameof(IdentityErrorDescriber.PasswordRequiresUniqueChars) =>
            $"密码须包含至少 {options.RequiredUniqueChars} 个不同的字符。Use at least {options.RequiredUniqueChars} different characters.",
        nameof(IdentityErrorDescriber.PasswordMismatch) => "当前密码不正确。The current password is wrong.",
        _ => error.Description,
    };

    /// <summary>Whether the error is about the new password's rules (rather than the code or the current password).</summary>
    public static bool IsRule(IdentityError error) =>
        error.Code.StartsWith("Password", StringComparison.Ordinal) && error.Code != nameof(IdentityErrorDescriber.PasswordMismatch);

    /// <summary>
    /// The code of a reset or invitation link: Identity's token, Base64Url-encoded as Identity's own endpoints and
    /// <c>UsersApi</c> send it. Null when it is not such an encoding (a mangled link).
    /// </summary>
    public static string? DecodeCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        try { return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code.Trim())); }
        catch (FormatException) { return null; }
    }

    public static string EncodeCode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
}
