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
#include "reconciler/gather.h"
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
  // drift (also: output, journal; gathering)
  std::string format = "text";         // text | json | markdown
  std::string since;                   // summarise the journal's reports of this long ("7d")
  // watch, reconcile, status (also: repo as a path or URL, journal, json,
  // clusters; gathering)
  std::string branch;                  // the branch ("": status: every branch; else main)
  std::string interval = "60s";        // watch: how often to fetch
  std::string cache;                   // the clone lives here ("": ~/.cache/harc)
  std::string allowed_signers;         // require commits signed by a key listed here (SSH)
  std::string gpg_keyring;             // require commits signed by a key of this keyring
  std::string drift_every;             // watch: a drift check this often ("": never)
  std::string metrics;                 // write a Prometheus textfile here after each cycle
  std::string git_identity;            // ssh remotes: private key ("": ssh-agent)
  std::string git_known_hosts = "~/.ssh/known_hosts";  // ssh remotes: host keys
  bool once = false;                   // reconcile: one cycle
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

// An SSH transport as the fleet's harc.toml [ssh] and the options say;
// relative paths in harc.toml are relative to o.repo. nullptr (after
// printing why) when it cannot be made (a known_hosts that does not parse).
std::unique_ptr<Transport> MakeSshTransport(const Options& o, const Fleet& fleet, Console& io);

// How to gather, from the options (--parallel, --accept-new-host-keys) and
// harc.toml [ssh] (the connect, command and gather deadlines).
GatherOptions GatherOptionsFor(const Options& o, const Fleet& fleet);

// The live state of `clusters` (every cluster when empty), gathered over
// `transport`. Members that could not be observed are reported on io.err,
// one line each.
ObservedFleet GatherLive(const Options& o, const Fleet& fleet,
                         const std::vector<std::string>& clusters, Transport& transport,
                         Console& io);

// The journal the options name: --journal, else .harc/journal.db under --repo.
std::string JournalPath(const Options& o);

// Opens (with must_exist false: creating) the journal the options name.
// Prints a warning when the file had to be made private, and any error, on
// io.err; returns nullptr on error.
std::unique_ptr<Journal> OpenJournal(const Options& o, bool must_exist, Console& io);
// Opens the journal the options name if it exists (*journal stays null when
// nothing was ever applied with it). False (after printing why) when it
// exists but cannot be opened.
bool OpenJournalIfAny(const Options& o, std::unique_ptr<Journal>* journal, Console& io);

// "3 clusters", "1 member".
std::string Count(size_t n, const char* noun);

// "user@host": who runs this harc, for the journal.
std::string Who();

// The subcommands (one file each).
ExitCode RunValidate(const Options& o, Console& io);
ExitCode RunPlan(const Options& o, Console& io);
ExitCode RunSnapshot(const Options& o, Console& io);
ExitCode RunHistory(const Options& o, Console& io);  // journal_commands.cc
ExitCode RunLocks(const Options& o, Console& io);
ExitCode RunUnlock(const Options& o, Console& io);
ExitCode RunApply(const Options& o, Console& io);    // apply_command.cc
ExitCode RunDrift(const Options& o, Console& io);    // drift_command.cc
ExitCode RunWatch(const Options& o, Console& io);    // watch_command.cc
ExitCode RunReconcile(const Options& o, Console& io);
ExitCode RunStatus(const Options& o, Console& io);   // status_command.cc

}  // namespace harc
