// Running a local program (no shell) with its standard input given and its
// standard output and error captured: ssh-keygen and gpgv, which verify
// commit signatures for harc watch. The child gets no other descriptor of
// ours and is killed when it outlives its deadline.
#pragma once

#include <string>
#include <vector>

namespace harc {

struct ProcessResult {
  int exit_status = -1;  // the exit status; 128 + N when killed by signal N
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up in PATH) with `argv`, writing `input` to its
// standard input. False with *error when it could not be started or did not
// end within timeout_ms (it is then killed); a non-zero exit is not an
// error here, it is in result->exit_status.
bool RunProcess(const std::vector<std::string>& argv, const std::string& input, int timeout_ms,
                ProcessResult* result, std::string* error);

}  // namespace harc
