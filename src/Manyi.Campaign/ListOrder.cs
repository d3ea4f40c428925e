namespace Manyi.Campaign;

/// <summary>
/// The order the association's lists use: operators in the glossary's order (移动, 联通, 电信, 广电, then others by
/// name), cities in Henan's administrative order (then others by name). The web host's lists sort by it too.
/// </summary>
public static class ListOrder
{
    public static readonly IReadOnlyList<string> Operators = ["移动", "联通", "电信", "广电"];

    public static readonly IReadOnlyList<string> HenanCities =
        ["郑州", "开封", "洛阳", "平顶山", "安阳", "鹤壁", "新乡", "焦作", "濮阳", "许昌", "漯河", "三门峡", "南阳", "商丘", "信阳", "周口", "驻马店", "济源"];

    public static int OperatorRank(string @operator) => Rank(Operators, @operator);

    public static int CityRank(string city) => Rank(HenanCities, city);

    private static int Rank(IReadOnlyList<string> order, string value)
    {
        for (var i = 0; i < order.Count; i++)
            if (order[i] == value) return i;
        return order.Count;
    }
}
