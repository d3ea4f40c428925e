using Manyi.Web.Features.WorkflowDefinitions;

namespace Manyi.Web.Tests.Features.WorkflowDefinitions;

/// <summary>Issue 21, item 7: the comparison marks what changed inside a value, not the whole value.</summary>
public sealed class TextDiffTests
{
    [Fact]
    public void Only_the_changed_word_is_marked_in_the_old_and_the_new_text()
    {
        var (old, now) = TextDiff.Of("Literal: 培训人数报送 Headcount report", "Literal: 培训人数报送 Trainee report");
        Assert.Equal(["Headcount"], old.Where(p => p.Changed).Select(p => p.Text));
        Assert.Equal(["Trainee"], now.Where(p => p.Changed).Select(p => p.Text));
        Assert.Equal("Literal: 培训人数报送 Trainee report", string.Concat(now.Select(p => p.Text)));
    }

    [Fact]
    public void Chinese_is_compared_character_by_character()
    {
        var (old, now) = TextDiff.Of("截止日期前两天提醒", "截止日期前三天提醒");
        Assert.Equal(["两"], old.Where(p => p.Changed).Select(p => p.Text));
        Assert.Equal(["三"], now.Where(p => p.Changed).Select(p => p.Text));
    }
}
