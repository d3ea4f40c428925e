using Manyi.Engine.Calendar;

namespace Manyi.Engine.Tests.Calendar;

/// <summary>Year data for the calendar tests.</summary>
internal static class HolidayYears
{
    /// <summary>
    /// 2026 as the State Council set it in its notice of 4 November 2025.
    /// </summary>
    public const string Official2026Json = """
        {
          "year": 2026,
          "source": "国务院办公厅关于2026年部分节假日安排的通知",
          "daysOff": [
            { "from": "2026-01-01", "to": "2026-01-03" },
            { "from": "2026-02-15", "to": "2026-02-23" },
            { "from": "2026-04-04", "to": "2026-04-06" },
            { "from": "2026-05-01", "to": "2026-05-05" },
            { "from": "2026-06-19", "to": "2026-06-21" },
            { "from": "2026-09-25", "to": "2026-09-27" },
            { "from": "2026-10-01", "to": "2026-10-07" }
          ],
          "workingWeekends": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
        }
        """;

    public static readonly HolidayYear Official2026 = HolidayYear.Parse(Official2026Json, "2026 test data");
}
