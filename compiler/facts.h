// Fact extraction: turning a command's output into a fact's normalised value,
// as the platform file says (regex capture + value map, whole output, or a JSON
// pointer). Pure, so gathering and the tests share it.
#pragma once

#include <string>
#include <string_view>

#include "compiler/model.h"

namespace harc {

struct FactValue {
  bool ok = false;
  std::string value;  // normalised (after `map`)
  std::string error;  // why not: "pattern did not match", "value 'X' not in map", ...
};

FactValue ExtractFact(const FactSpec& spec, std::string_view output);

// "" when spec's pattern is usable; otherwise why not (bad regex, bad pointer).
// The platform loader reports it at the pattern's position.
std::string CheckFactPattern(const FactSpec& spec);

}  // namespace harc
