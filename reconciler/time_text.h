// Times and durations as people read and write them on the command line and
// in reports: "2026-01-12T10:31:02Z", "2m13s", "7d".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace harc {

// RFC 3339 in UTC to the second: "2026-01-12T10:31:02Z".
std::string FormatTime(int64_t wall_ms);

// "850ms", "12s", "2m13s", "1h05m", "3d04h": coarser as it grows.
std::string FormatDuration(int64_t ms);

// Milliseconds in a whole number and a unit: ms, s, m, h, d (24h) or w (7d):
// "90s", "12h", "7d". False when text is none of these, is 0 or overflows.
bool ParseDuration(std::string_view text, int64_t* ms);

}  // namespace harc
