// What every harc subcommand shares: the parsed options, where output goes,
// and the first passes most of them run (read the fleet, load and validate it,
// resolve --cluster names, read an observed-state file). Each subcommand is a
// function from Options to an ExitCode, listed in cli.cc's command table.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/model.h"
#include "reconciler/exit_codes.h"
#include "reconciler/journal.h"

namespace harc {

struct Options {
  // Common (DESIGN.md §6).
  std::string repo = ".";              // fleet repository: a directory or a git repo
  std::string ref;                     // read the fleet from this commit ("" = working tree)
  std::vector<std::string> clusters;   // only these (empty: all)
  std::string observed;                // observed-state file instead of SSH gathering
  // Gathering over SSH (when there is no --observed).
  int parallel = 32;                   // members gathered at once
  bool accept_new_host_keys = false;   // record unknown host keys instead of refusing them
  std::string ssh_config = "~/.ssh/config";  // "" or "none": read no ssh config
  // plan
  std::string output;                  // -o: save the plan as JSON here
  bool json = false;                   // print the plan as JSON instead of text
  bool detailed_exitcode = false;      // exit 2 when there are changes
  // The journal (history, locks, unlock; later apply).
  std::string journal;                 // "" = .harc/journal.db under --repo
  int limit = 20;                      // history: the newest runs shown
  std::string unlock_cluster;          // unlock: CLUSTER
  int64_t unlock_token = 0;            // unlock: --id, the lease's fencing token
  // apply (also: journal, json; gathering)
  std::string plan_file;               // a saved plan to apply ("" = plan now)
  bool auto_approve = false;           // apply without asking
};

// Where a command writes: `out` for its result, `err` for diagnostics.
struct Console {
  std::ostream& out;
  std::ostream& err;
};

// Prints "harc: error: <message>" to io.err. Returns ExitCode::kError.
ExitCode PrintError(Console& io, const std::string& message);

// Reads the fleet the options name (--repo, --ref), loads and validates it and
// checks every --cluster name exists. On any problem prints every diagnostic
// (file:line:col with the source line) and returns nullopt.
std::optional<Fleet> LoadSelectedFleet(const Options& o, Console& io);

// Reads and parses the --observed file. On any problem prints it and returns
// nullopt. REQUIRES: o.observed is set.
std::optional<ObservedFleet> ReadObservedFile(const Options& o, Console& io);

// The live state of the selected clusters: read from --observed when given,
// else gathered over SSH as harc.toml [ssh] and the ssh config say. Members
// that could not be observed are reported on io.err, one line each, and are
// in the result as unreachable. Returns nullopt (after printing why) when the
// state cannot be had at all (an unreadable file, a known_hosts that does not
// parse).
std::optional<ObservedFleet> Observe(const Options& o, const Fleet& fleet, Console& io);

// The journal the options name: --journal, else .harc/journal.db under --repo.
std::string JournalPath(const Options& o);

// Opens (with must_exist false: creating) the journal the options name.
// Prints a warning when the file had to be made private, and any error, on
// io.err; returns nullptr on error.
std::unique_ptr<Journal> OpenJournal(const Options& o, bool must_exist, Console& io);

// "3 clusters", "1 member".
std::string Count(size_t n, const char* noun);

// The subcommands (one file each).
ExitCode RunValidate(const Options& o, Console& io);
ExitCode RunPlan(const Options& o, Console& io);
ExitCode RunSnapshot(const Options& o, Console& io);
ExitCode RunHistory(const Options& o, Console& io);  // journal_commands.cc
ExitCode RunLocks(const Options& o, Console& io);
ExitCode RunUnlock(const Options& o, Console& io);
ExitCode RunApply(const Options& o, Console& io);    // apply_command.cc

}  // namespace harc
