using Manyi.Engine.Tasks;
using System.Net;
using System.Text.Json.Nodes;
using Manyi.Persistence.Records;
using Microsoft.EntityFrameworkCore;

namespace Manyi.Web.Tests.Features.Organizations;

/// <summary>Organizations one at a time: create, inspect, replace, list, delete; administrators only.</summary>
public sealed class OrganizationsApiTests(SharedApps apps) : IClassFixture<SharedApps>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task An_organization_is_created_inspected_and_replaced_with_its_contacts(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();

        var created = await client.PostJsonAsync("/api/organizations", """
            {"id": "mobile-zhengzhou", "name": "郑州移动", "operator": "Mobile", "city": "郑州", "level": "市",
             "contacts": [{"name": "演示甲", "email": "a.zz@example.org", "phone": "0371-0000001"}, {"name": "演示乙", "email": "b.zz@example.org"}]}
            """).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(("移动", "City"), (created.GetString("operator"), created.GetString("level")));
        Assert.Equal(2, created.GetArray("contacts").Count);
        var member = await app.CreateUserAsync(Unique.Email("zhengzhou.mobile"), ManyiRoles.Participant, "mobile-zhengzhou");

        var fetched = await client.FetchAsync("/api/organizations/mobile-zhengzhou").ExpectOkAsync();
        Assert.Equal(member.Id, Assert.Single(fetched.GetArray("members")).GetString("userId"));
        Assert.Equal("b.zz@example.org", fetched.GetArray("contacts")[1].GetString("email"));

        var replaced = await client.SendAsync(Put("/api/organizations/mobile-zhengzhou", """
            {"name": "郑州移动分公司", "operator": "移动", "city": "郑州", "level": "County", "lastRating": "aa",
             "contacts": [{"name": "演示丙", "email": "c.zz@example.org"}]}
            """), Ct).ExpectOkAsync();
        Assert.Equal(("郑州移动分公司", "County", "AA"), (replaced.GetString("name"), replaced.GetString("level"), replaced.GetString("lastRating")));
        Assert.Equal("c.zz@example.org", Assert.Single(replaced.GetArray("contacts")).GetString("email"));
        Assert.Equal(1, await app.QueryAsync(db => db.OrganizationContacts.CountAsync(c => c.OrganizationId == "mobile-zhengzhou", Ct)));
        Assert.Equal(["organization.created", "organization.updated"],
            await app.QueryAsync(db => db.AuditEntries.Where(a => a.SubjectId == "mobile-zhengzhou").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct)));
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Bad_fields_are_named_and_taken_ids_or_names_are_conflicts(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.PostJsonAsync("/api/organizations", """{"id": "unicom-kaifeng", "name": "开封联通", "operator": "联通", "city": "开封"}""")
            .ExpectAsync(HttpStatusCode.Created);

        var bad = await client.PostJsonAsync("/api/organizations", """
            {"id": "Unicom_Kaifeng", "name": "", "operator": " ", "city": "开封", "level": "省", "lastRating": "B",
             "contacts": [{"name": "演示甲", "email": "not-an-address"}]}
            """).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["contacts[0]", "id", "lastRating", "level", "name", "operator"],
            bad["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));

        var taken = await client.PostJsonAsync("/api/organizations", """{"id": "unicom-kaifeng", "name": "开封联通二", "operator": "联通", "city": "开封"}""")
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("already exists", taken.GetString("detail"), StringComparison.Ordinal);
        var sameName = await client.PostJsonAsync("/api/organizations", """{"id": "unicom-kaifeng-2", "name": "开封联通", "operator": "联通", "city": "开封"}""")
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("already used by organization unicom-kaifeng", sameName.GetString("detail"), StringComparison.Ordinal);
        await client.SendAsync(Put("/api/organizations/nowhere", """{"name": "x", "operator": "移动", "city": "郑州"}"""), Ct).ExpectAsync(HttpStatusCode.NotFound);
        await client.FetchAsync("/api/organizations/nowhere").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task The_list_filters_and_sorts_by_operator_then_city_in_the_notices_order(string provider)
    {
        await using var app = await ManyiApp.StartAsync(provider); // lists every organization: a host of its own
        var client = app.CreateClient();
        await client.UploadAsync(Spreadsheets.Csv("Id,Name,Operator,City,Level",
            "unicom-zhengzhou,郑州联通,联通,郑州,市",
            "cable-anyang,安阳有线,安阳有线网络,安阳,市",
            "mobile-jiyuan,济源移动,移动,济源,市",
            "mobile-kaifeng,开封移动,移动,开封,市",
            "mobile-zhengzhou,郑州移动,移动,郑州,市",
            "mobile-zhengzhou-erqi,郑州移动二七营业厅,移动,郑州,营业厅")).ExpectOkAsync();

        var all = await client.FetchAsync("/api/organizations").ExpectOkAsync();
        Assert.Equal(["mobile-zhengzhou", "mobile-zhengzhou-erqi", "mobile-kaifeng", "mobile-jiyuan", "unicom-zhengzhou", "cable-anyang"], Ids(all));
        Assert.Equal(6, all["totalCount"]!.GetValue<int>());

        Assert.Equal(["mobile-kaifeng", "mobile-jiyuan"], Ids(await client.FetchAsync("/api/organizations?pageSize=2&page=2").ExpectOkAsync()));
        Assert.Equal(["mobile-zhengzhou", "mobile-zhengzhou-erqi", "mobile-kaifeng", "mobile-jiyuan"], Ids(await client.FetchAsync("/api/organizations?operator=Mobile").ExpectOkAsync()));
        Assert.Equal(["mobile-zhengzhou", "mobile-zhengzhou-erqi", "unicom-zhengzhou"], Ids(await client.FetchAsync("/api/organizations?city=郑州").ExpectOkAsync()));
        Assert.Equal(["mobile-zhengzhou-erqi"], Ids(await client.FetchAsync("/api/organizations?level=ServiceSite").ExpectOkAsync()));
        Assert.Equal(["mobile-zhengzhou-erqi"], Ids(await client.FetchAsync("/api/organizations?search=二七").ExpectOkAsync()));
        Assert.Equal(["mobile-kaifeng"], Ids(await client.FetchAsync("/api/organizations?search=KAIFENG").ExpectOkAsync()));
        var bad = await client.FetchAsync("/api/organizations?level=Province").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["level"]);
    }

    [Theory, InlineData("sqlite"), InlineData("postgres")]
    public async Task Deleting_is_refused_while_members_or_tasks_refer_to_the_organization(string provider)
    {
        var app = await apps.For(provider);
        var client = app.CreateClient();
        await client.UploadAsync(Spreadsheets.Csv(Spreadsheets.FullHeader,
            "mobile-anyang,安阳移动,移动,安阳,市,演示甲,a.ay@example.org,",
            "telecom-hebi,鹤壁电信,电信,鹤壁,市,,,",
            "broadcast-luohe,漯河广电,广电,漯河,市,演示乙,b.lh@example.org,")).ExpectOkAsync();
        await app.CreateUserAsync(Unique.Email("anyang.mobile"), ManyiRoles.Participant, "mobile-anyang");
        await app.QueryAsync(async db =>
        {
            db.Tasks.Add(new HumanTaskRecord
            {
                Id = "task-1", InstanceId = "instance-1", ActivityId = "report", DefinitionId = "headcount", Title = "培训人数报送",
                OrganizationId = "telecom-hebi", Status = HumanTaskStatus.Open, Outcomes = "[\"Done\"]", CreatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync(Ct);
        });

        var members = await client.DeleteAsync("/api/organizations/mobile-anyang", Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("1 member(s)", members.GetString("detail"), StringComparison.Ordinal);
        var tasks = await client.DeleteAsync("/api/organizations/telecom-hebi", Ct).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("1 task(s)", tasks.GetString("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/organizations/broadcast-luohe", Ct)).StatusCode);
        await client.DeleteAsync("/api/organizations/broadcast-luohe", Ct).ExpectAsync(HttpStatusCode.NotFound);

        // The class shares its host: this test's three organizations, not every one.
        string[] mine = ["mobile-anyang", "telecom-hebi", "broadcast-luohe"];
        Assert.Equal(["mobile-anyang", "telecom-hebi"], await app.QueryAsync(db => db.Organizations.Where(o => mine.Contains(o.Id)).Select(o => o.Id).OrderBy(id => id).ToListAsync(Ct)));
        Assert.Equal(["a.ay@example.org"], await app.QueryAsync(db => db.OrganizationContacts.Where(c => mine.Contains(c.OrganizationId)).Select(c => c.Email).ToListAsync(Ct)));
        Assert.Equal(1, await app.QueryAsync(db => db.AuditEntries.CountAsync(a => a.Action == "organization.deleted" && a.SubjectId == "broadcast-luohe", Ct)));
    }

    [Theory, InlineData("sqlite")]
    public async Task A_participant_is_forbidden_every_organizations_endpoint(string provider)
    {
        var app = await apps.For(provider);
        // Organizations of its own (the class shares its host): the participant's, and one that must not come to be.
        var email = Unique.Email("xuchang.mobile");
        await app.CreateUserAsync(email, ManyiRoles.Participant, "mobile-xuchang");
        var participant = await app.CreateClientForAsync(email);
        var body = """{"id": "mobile-luoyang", "name": "洛阳移动", "operator": "移动", "city": "洛阳"}""";

        var responses = new[]
        {
            await participant.FetchAsync("/api/organizations"),
            await participant.FetchAsync("/api/organizations/mobile-xuchang"),
            await participant.FetchAsync("/api/organizations/export?format=csv"),
            await participant.PostJsonAsync("/api/organizations", body),
            await participant.SendAsync(Put("/api/organizations/mobile-xuchang", body), Ct),
            await participant.DeleteAsync("/api/organizations/mobile-xuchang", Ct),
            await participant.UploadAsync(Spreadsheets.Csv("Id,Name,Operator,City", "mobile-luoyang,洛阳移动,移动,洛阳")),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(["mobile-xuchang"], await app.QueryAsync(db => db.Organizations.Where(o => o.Id == "mobile-xuchang" || o.Id == "mobile-luoyang").Select(o => o.Id).ToListAsync(Ct)));
    }

    private static HttpRequestMessage Put(string url, string json) =>
        new(HttpMethod.Put, url) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    private static List<string> Ids(JsonNode page) => page.GetArray("items").Select(i => i.GetString("id")).ToList();
}
