// Writing a file so that a reader sees either the old content or the whole new
// one, never a torn write: a saved plan is applied later, perhaps by another
// process, and half a plan must never be mistaken for one.
#pragma once

#include <string>
#include <string_view>

namespace harc {

// Writes `text` to a temporary file in path's directory, flushes it to disk,
// then renames it over `path`. On failure returns false with *error naming the
// path and the cause, and leaves no temporary file behind.
bool WriteFileAtomically(const std::string& path, std::string_view text, std::string* error);

}  // namespace harc
