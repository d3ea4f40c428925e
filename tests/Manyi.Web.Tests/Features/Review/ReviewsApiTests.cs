using System.Net;
using Manyi.Persistence.Records;

namespace Manyi.Web.Tests.Features.Review;

public sealed class ReviewsApiTests
{
    /// <summary>A workflow with one national-review task for the reviewers, like the review of workflows/participant.json.</summary>
    public static string ReviewWorkflow(string definitionId) => Workflows.Flowchart(definitionId,
        $$$"""
        {{{Workflows.Start()}}},
        {"id": "review", "type": "Manyi.UserTask",
         "title": {"typeName": "String", "expression": {"type": "Literal", "value": "国家评审结果 National review"}},
         "stage": {"typeName": "String", "expression": {"type": "Literal", "value": "review"}},
         "role": {"typeName": "String", "expression": {"type": "Literal", "value": "Reviewer"}},
         "deadline": {"typeName": "Object", "expression": {"type": "Literal", "value": "2099-11-28T18:00:00+08:00"}},
         "outcomes": ["Rated"],
         "form": {"fields": [{"name": "rating", "label": "等级", "type": "text", "required": true}]}},
        {{{Workflows.WriteLine("done", "done")}}}
        """,
        $"{Workflows.Connect("start", "review")}, {Workflows.Connect("review", "done", "Rated")}");

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task A_reviewer_lists_the_reviews_paged_and_filtered_by_organization_and_status(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider);
        await app.CreateUserAsync("expert@example.org", ManyiRoles.Reviewer);
        await app.CreateUserAsync("zhengzhou.mobile@example.org", ManyiRoles.Participant, "mobile-zhengzhou");
        await app.CreateUserAsync("other@example.org", ManyiRoles.Participant, "unicom-kaifeng", "telecom-luoyang");
        var admin = app.CreateClient();
        await admin.DeployAsync(ReviewWorkflow("review-only"));
        foreach (var organization in new[] { "mobile-zhengzhou", "unicom-kaifeng", "telecom-luoyang" })
            await admin.ExecuteAsync("review-only", organization);
        var reviewer = await app.CreateClientForAsync("expert@example.org");

        var first = await reviewer.FetchAsync("/api/reviews?pageSize=2").ExpectOkAsync();
        Assert.Equal(3, first["totalCount"]!.GetValue<int>());
        Assert.Equal(["mobile-zhengzhou", "telecom-luoyang"], first.GetArray("items").Select(i => i.GetString("organizationId")));
        Assert.Equal(["mobile-zhengzhou", "telecom-luoyang", "unicom-kaifeng"], first.GetArray("organizations").Select(o => o.GetString("id")));
        var second = await reviewer.FetchAsync("/api/reviews?pageSize=2&page=2").ExpectOkAsync();
        var kaifeng = Assert.Single(second.GetArray("items"));
        Assert.Equal("unicom-kaifeng", kaifeng.GetString("organizationId"));

        await reviewer.PostJsonAsync($"/api/tasks/{kaifeng.GetString("taskId")}/complete", """{"outcome": "Rated", "data": {"rating": "AA"}}""").ExpectOkAsync();

        Assert.Equal(2, (await reviewer.FetchAsync("/api/reviews").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        var done = Assert.Single((await reviewer.FetchAsync("/api/reviews?status=Completed").ExpectOkAsync()).GetArray("items"));
        Assert.Equal(("unicom-kaifeng", "AA"), (done.GetString("organizationId"), done.GetString("rating")));
        var one = Assert.Single((await reviewer.FetchAsync("/api/reviews?status=any&organization=telecom-luoyang").ExpectOkAsync()).GetArray("items"));
        Assert.Equal("Open", one.GetString("status"));
        await reviewer.FetchAsync("/api/reviews?status=Lost").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(3, (await admin.FetchAsync("/api/reviews?status=any").ExpectOkAsync())["totalCount"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.CreateClientForAsync("zhengzhou.mobile@example.org")).FetchAsync("/api/reviews")).StatusCode);
    }
}
