using System.Text.Json.Nodes;
using Manyi.Email.Outbox;
using Manyi.Engine.Runtime;
using Manyi.Persistence.Records;
using Manyi.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Manyi.Web.Features.Account;

/// <summary>
/// Identity's e-mails (password reset, invitation) go through the same outbox as the workflows' e-mails: written to
/// the database first, delivered by the background job with retries, logged.
/// </summary>
public sealed class AccountEmails(IServiceScopeFactory scopes, IEmailTemplates templates, IOptions<ManyiOptions> options)
    : IEmailSender<ManyiUser>
{
    /// <summary>Where links in e-mails point; <c>Manyi:PublicUrl</c>, e.g. https://manyi.example.org.</summary>
    private string PublicUrl => options.Value.LinkBase;

    public Task SendConfirmationLinkAsync(ManyiUser user, string email, string confirmationLink) =>
        SendAsync(user, email, "account-confirmation",
            "确认您的邮箱 Confirm your e-mail address",
            "请打开下面的链接确认您的邮箱。\nOpen the link below to confirm your e-mail address.",
            confirmationLink);

    public Task SendPasswordResetLinkAsync(ManyiUser user, string email, string resetLink) =>
        SendAsync(user, email, "password-reset",
            "重置密码 Reset your password",
            "请打开下面的链接设置新密码；如果不是您本人操作，请忽略此邮件。\nOpen the link below to set a new password; if you did not ask for this, ignore this message.",
            resetLink);

    public Task SendPasswordResetCodeAsync(ManyiUser user, string email, string resetCode) =>
        SendAsync(user, email, "password-reset",
            "重置密码 Reset your password",
            // The code is some 300 characters: nobody types it, so the link carries it and the text does not show it.
            "请打开下面的链接设置新密码；如果不是您本人操作，请忽略此邮件。\nOpen the link below to set a new password; if you did not ask for this, ignore this message.",
            $"{PublicUrl}/account/reset-password?email={Uri.EscapeDataString(email)}&code={Uri.EscapeDataString(resetCode)}");

    /// <summary>An invitation: the new user sets a first password with the code (a password-reset token).</summary>
    public Task SendInvitationAsync(ManyiUser user, string code) =>
        SendAsync(user, user.Email!, "invitation",
            "邀请您使用满意 Manyi You are invited to Manyi",
            $"{user.DisplayName}，您好：省通信行业协会邀请您使用满意 Manyi 办理用户满意度活动事项。请打开下面的链接设置密码。\n" +
            $"Hello {user.DisplayName}, the association invites you to Manyi for the user-satisfaction campaign. Open the link below to set your password.\n\n" +
            $"邀请码 Invitation code: {code}",
            $"{PublicUrl}/account/accept-invitation?email={Uri.EscapeDataString(user.Email!)}&code={Uri.EscapeDataString(code)}");

    private async Task SendAsync(ManyiUser user, string email, string kind, string subject, string body, string link)
    {
        var model = new JsonObject { ["subject"] = subject, ["body"] = body, ["link"] = link };
        var rendered = await templates.RenderAsync("generic", model, CancellationToken.None);
        var key = $"account:{kind}:{user.Id}:{Guid.NewGuid():N}";
        // A scope of its own: Identity's endpoints resolve the sender once, from the root provider.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<EmailOutbox>()
            .SendAsync([new OutgoingEmail(key, kind, [email], rendered.Subject, rendered.TextBody, rendered.HtmlBody)], CancellationToken.None);
    }
}
