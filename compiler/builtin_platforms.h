// The built-in platform files (schemas/platforms/*.toml), embedded at build time
// so the binary needs no data directory.
#pragma once

#include <vector>

#include "compiler/load.h"

namespace harc {

// Paths are "<builtin>/<name>.toml".
const std::vector<SourceFile>& BuiltinPlatforms();

}  // namespace harc
