#include "reconciler/time_text.h"

#include <fmt/format.h>

#include <ctime>
#include <limits>

namespace harc {

std::string FormatTime(int64_t wall_ms) {
  std::time_t t = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  char buf[32];
  if (!::gmtime_r(&t, &tm) || !std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
    return std::to_string(wall_ms);
  return buf;
}

std::string FormatDuration(int64_t ms) {
  int64_t s = ms / 1000;
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

bool ParseDuration(std::string_view text, int64_t* ms) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / (7 * 86'400'000LL);
  size_t digits = 0;
  int64_t n = 0;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits)
    if ((n = n * 10 + (text[digits] - '0')) > kMax) return false;
  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1'000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (unit == "w") scale = 7 * 86'400'000LL;
  if (digits == 0 || scale == 0 || n == 0) return false;
  *ms = n * scale;
  return true;
}

}  // namespace harc
