#include "domain/time.h"

#include <gtest/gtest.h>

namespace ld {
namespace {

TEST(Time, MonthEndsClampFromTheAnchorWithoutDrifting) {
  CivilDate jan31{2024, 1, 31};
  EXPECT_EQ(AddMonthsAnchored(jan31, 1, 31), (CivilDate{2024, 2, 29}));  // leap year
  EXPECT_EQ(AddMonthsAnchored(jan31, 2, 31), (CivilDate{2024, 3, 31}));  // back to 31
  EXPECT_EQ(AddMonthsAnchored(jan31, 3, 31), (CivilDate{2024, 4, 30}));
  EXPECT_EQ(AddMonthsAnchored({2025, 1, 31}, 1, 31), (CivilDate{2025, 2, 28}));
  EXPECT_EQ(AddMonthsAnchored({2025, 11, 30}, 2, 30), (CivilDate{2026, 1, 30}));
  EXPECT_EQ(AddMonthsAnchored({2024, 2, 29}, 12, 29), (CivilDate{2025, 2, 28}));
  EXPECT_EQ(AddMonthsAnchored({2024, 2, 29}, 48, 29), (CivilDate{2028, 2, 29}));
}

TEST(Time, CivilRoundTrip) {
  Instant t = FromCivil({2026, 11, 24}, 3723004);
  EXPECT_EQ(ToCivil(t), (CivilDate{2026, 11, 24}));
  EXPECT_EQ(FormatRfc3339(t), "2026-11-24T01:02:03.004Z");
  EXPECT_EQ(ToCivil(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(DaysBetween(FromCivil({2024, 2, 1}), FromCivil({2024, 3, 1})), 29);
}

TEST(Time, ParsesRfc3339) {
  EXPECT_EQ(ParseRfc3339("2026-11-24T01:02:03Z"), FromCivil({2026, 11, 24}, 3723000));
  EXPECT_EQ(ParseRfc3339("2026-11-24T01:02:03.5Z"), FromCivil({2026, 11, 24}, 3723500));
  EXPECT_EQ(ParseRfc3339("2026-11-24T03:02:03+02:00"), FromCivil({2026, 11, 24}, 3723000));
  for (const char* bad : {"", "2026-11-24", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-24T01:02:03", "2026-11-24T01:02:03Zjunk", "x026-11-24T01:02:03Z",
                          "2026-11-24T25:00:00Z", "2026-11-24T01:02:03.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(Time, TheLatestInstantsRenderWithFourDigitYears) {
  EXPECT_EQ(FormatRfc3339(kLatestInstant), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(kLatestClockInstant), "9997-12-31T23:59:59.999Z");
  // A year's period, 30 days of grace and 90 more to deletion after the latest
  // clock instant still render.
  EXPECT_LE(kLatestClockInstant + (366 + 30 + 90 + 30) * kMsPerDay, kLatestInstant);
}

}  // namespace
}  // namespace ld
