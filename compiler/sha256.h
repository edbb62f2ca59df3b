// SHA-256 (FIPS 180-4), for plan hashes and fact fingerprints. Here because the
// compiler links no crypto library.
#pragma once

#include <string>
#include <string_view>

namespace harc {

// Lower-case hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace harc
