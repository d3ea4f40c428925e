using System.Net;
using System.Security.Cryptography;
using System.Text;
using Manyi.Email.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Manyi.Web.Tests.Features.Channels;

/// <summary>The request each robot kind documents, checked on the wire by a fake robot, and how its answers are read.</summary>
public sealed class RobotClientTests
{
    private static readonly DateTimeOffset Now = new(2025, 4, 23, 1, 0, 0, TimeSpan.Zero);
    private static readonly RobotMessage Message = new("【满意】提醒：培训人数报送", "- 郑州移动，还剩 7 天", []);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WeCom_gets_markdown_or_text_with_the_mobiles_to_mention()
    {
        await using var robot = await FakeRobotServer.StartAsync();
        var client = new RobotClient(new HttpClient(), new FakeTimeProvider(Now));

        var reply = await client.SendAsync(ChannelKind.WeCom, robot.WeComUrl, null, Message, TimeSpan.FromSeconds(10), Ct);
        await client.SendAsync(ChannelKind.WeCom, robot.WeComUrl, null, Message with { Mobiles = ["13800000001"] }, TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RobotOutcome.Sent, reply.Outcome);
        var requests = robot.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal("/cgi-bin/webhook/send", requests[0].Path);
        Assert.Equal("wecom-test-key-0001", requests[0].QueryValue("key"));
        Assert.Equal("markdown", (string?)requests[0].Body["msgtype"]);
        Assert.Equal("### 【满意】提醒：培训人数报送\n- 郑州移动，还剩 7 天", (string?)requests[0].Body["markdown"]!["content"]);
        Assert.Equal(["msgtype", "markdown"], requests[0].Body.Select(p => p.Key));
        Assert.Equal("text", (string?)requests[1].Body["msgtype"]);
        Assert.Equal(["13800000001"], requests[1].Body["text"]!["mentioned_mobile_list"]!.AsArray().Select(m => (string?)m));
        Assert.StartsWith("【满意】提醒：培训人数报送\n", (string?)requests[1].Body["text"]!["content"]);
    }

    [Fact]
    public async Task DingTalk_is_signed_in_the_query_with_a_millisecond_timestamp()
    {
        await using var robot = await FakeRobotServer.StartAsync();
        var client = new RobotClient(new HttpClient(), new FakeTimeProvider(Now));
        const string secret = "SECtest0123456789abcdef";

        var reply = await client.SendAsync(ChannelKind.DingTalk, robot.DingTalkUrl, secret, Message with { Mobiles = ["13800000002"] }, TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RobotOutcome.Sent, reply.Outcome);
        var request = Assert.Single(robot.Requests);
        Assert.Equal("/robot/send", request.Path);
        Assert.Equal("dingtalk-test-token-0001", request.QueryValue("access_token"));
        var timestamp = request.QueryValue("timestamp");
        Assert.Equal(Now.ToUnixTimeMilliseconds().ToString(), timestamp);
        // The documented rule, computed here independently: urlencode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret))).
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "\n" + secret)));
        Assert.Equal(expected, Uri.UnescapeDataString(request.QueryValue("sign")!));
        Assert.Equal("markdown", (string?)request.Body["msgtype"]);
        Assert.Equal("【满意】提醒：培训人数报送", (string?)request.Body["markdown"]!["title"]);
        Assert.EndsWith("\n\n@13800000002", (string?)request.Body["markdown"]!["text"]);
        Assert.Equal(["13800000002"], request.Body["at"]!["atMobiles"]!.AsArray().Select(m => (string?)m));
    }

    [Fact]
    public async Task Feishu_is_signed_in_the_body_with_a_second_timestamp_and_gets_a_card()
    {
        await using var robot = await FakeRobotServer.StartAsync();
        var client = new RobotClient(new HttpClient(), new FakeTimeProvider(Now));
        const string secret = "feishu-secret-42";

        var reply = await client.SendAsync(ChannelKind.Feishu, robot.FeishuUrl, secret, Message, TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RobotOutcome.Sent, reply.Outcome);
        var request = Assert.Single(robot.Requests);
        Assert.Equal("/open-apis/bot/v2/hook/feishu-test-hook-0001", request.Path);
        var timestamp = (string?)request.Body["timestamp"];
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(), timestamp);
        // base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")).
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(timestamp + "\n" + secret));
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash([])), (string?)request.Body["sign"]);
        Assert.Equal("interactive", (string?)request.Body["msg_type"]);
        Assert.Equal("【满意】提醒：培训人数报送", (string?)request.Body["card"]!["header"]!["title"]!["content"]);
        Assert.Equal("- 郑州移动，还剩 7 天", (string?)request.Body["card"]!["elements"]![0]!["content"]);
    }

    [Theory]
    [InlineData("wecom", 200, """{"errcode":45009,"errmsg":"api freq out of limit"}""", RobotOutcome.RateLimited, 45009)]
    [InlineData("wecom", 200, """{"errcode":93000,"errmsg":"invalid webhook url"}""", RobotOutcome.Refused, 93000)]
    [InlineData("dingtalk", 200, """{"errcode":130101,"errmsg":"send too fast"}""", RobotOutcome.RateLimited, 130101)]
    [InlineData("dingtalk", 200, """{"errcode":310000,"errmsg":"sign not match"}""", RobotOutcome.Refused, 310000)]
    [InlineData("feishu", 200, """{"code":11232,"msg":"frequency limited"}""", RobotOutcome.RateLimited, 11232)]
    [InlineData("feishu", 200, """{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}""", RobotOutcome.Refused, 19021)]
    [InlineData("wecom", 200, """{"errcode":40058,"errmsg":"invalid parameter"}""", RobotOutcome.Failed, 40058)]
    [InlineData("dingtalk", 500, "oops", RobotOutcome.Failed, null)]
    [InlineData("feishu", 429, "", RobotOutcome.RateLimited, null)]
    [InlineData("wecom", 200, "<html>not json</html>", RobotOutcome.Failed, null)]
    public async Task An_answer_is_read_by_its_error_code_not_its_HTTP_status(string kind, int status, string body, RobotOutcome outcome, int? code)
    {
        await using var robot = await FakeRobotServer.StartAsync();
        robot.Answer = _ => ((HttpStatusCode)status, body);
        var channelKind = ChannelKind.Find(kind)!;
        var url = kind switch { "wecom" => robot.WeComUrl, "dingtalk" => robot.DingTalkUrl, _ => robot.FeishuUrl };
        var client = new RobotClient(new HttpClient(), TimeProvider.System);

        var reply = await client.SendAsync(channelKind, url, null, Message, TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(outcome, reply.Outcome);
        Assert.Equal(code, reply.ErrorCode);
        if (code is not null) Assert.StartsWith($"errcode {code}: ", reply.Describe());
    }

    [Fact]
    public async Task A_robot_that_does_not_answer_in_time_is_a_failure_that_says_so()
    {
        await using var robot = await FakeRobotServer.StartAsync();
        robot.Delay = TimeSpan.FromSeconds(5);
        var client = new RobotClient(new HttpClient(), TimeProvider.System);

        var reply = await client.SendAsync(ChannelKind.WeCom, robot.WeComUrl, null, Message, TimeSpan.FromMilliseconds(300), Ct);

        Assert.Equal(RobotOutcome.Failed, reply.Outcome);
        Assert.Contains("没有应答", reply.Message);
    }
}
