#include "reconciler/time_text.h"

#include <gtest/gtest.h>

namespace harc {
namespace {

TEST(TimeTextTest, TimesAreRfc3339InUtc) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(1'768'213'862'999), "2026-01-12T10:31:02Z");
}

TEST(TimeTextTest, DurationsGrowCoarser) {
  EXPECT_EQ(FormatDuration(850), "850ms");
  EXPECT_EQ(FormatDuration(12'400), "12s");
  EXPECT_EQ(FormatDuration(133'000), "2m13s");
  EXPECT_EQ(FormatDuration(3'900'000), "1h05m");
  EXPECT_EQ(FormatDuration(273'600'000), "3d04h");
}

TEST(TimeTextTest, DurationsParseWithEachUnit) {
  int64_t ms = 0;
  const std::pair<const char*, int64_t> cases[] = {
      {"500ms", 500}, {"90s", 90'000},     {"30m", 1'800'000},
      {"12h", 43'200'000}, {"7d", 604'800'000}, {"2w", 1'209'600'000}};
  for (const auto& [text, want] : cases) {
    EXPECT_TRUE(ParseDuration(text, &ms)) << text;
    EXPECT_EQ(ms, want) << text;
  }
}

TEST(TimeTextTest, AnythingElseIsRefused) {
  int64_t ms = 42;
  for (const char* text : {"", "7", "d", "7 d", "7days", "-7d", "0d", "1.5h", "99999999999999999w"})
    EXPECT_FALSE(ParseDuration(text, &ms)) << text;
  EXPECT_EQ(ms, 42);
}

}  // namespace
}  // namespace harc
