namespace Manyi.Web.Infrastructure;

/// <summary>One page of a list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount, int PageNumber, int PageSize);

public static class Page
{
    public const int MaxPageSize = 500;

    public static (int Page, int PageSize) Clamp(int page, int pageSize) => (Math.Max(page, 1), Math.Clamp(pageSize, 1, MaxPageSize));
}
