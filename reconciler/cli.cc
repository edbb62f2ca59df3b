#include "reconciler/cli.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/diag.h"
#include "reconciler/command.h"

#ifndef HARC_VERSION
#define HARC_VERSION "unknown"
#endif

namespace harc {
namespace {

// ---------------------------------------------------------------- options

void AddFleetOptions(CLI::App* cmd, Options* o) {
  cmd->add_option("--repo", o->repo, "fleet repository: a directory, or a git repository with --ref")
      ->capture_default_str();
  cmd->add_option("--ref", o->ref, "read the fleet from this git commit (branch, tag, hash) "
                                   "instead of the working tree");
  cmd->add_option("--cluster", o->clusters, "only this cluster (repeatable)")
      ->allow_extra_args(false);
}

void AddObservedOption(CLI::App* cmd, Options* o) {
  cmd->add_option("--observed", o->observed,
                  "use this observed-state snapshot (harc.observed/v1) instead of gathering");
}

void AddGatherOptions(CLI::App* cmd, Options* o) {
  cmd->add_option("--parallel", o->parallel, "members gathered at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--accept-new-host-keys", o->accept_new_host_keys,
                "record the host key of a member not yet in known_hosts instead of refusing it "
                "(a changed key is always refused)");
  cmd->add_option("--ssh-config", o->ssh_config, "OpenSSH client config to honour ('none': none)")
      ->capture_default_str();
}

void AddValidateOptions(CLI::App* cmd, Options* o) { AddFleetOptions(cmd, o); }

void AddPlanOptions(CLI::App* cmd, Options* o) {
  AddFleetOptions(cmd, o);
  AddObservedOption(cmd, o);
  AddGatherOptions(cmd, o);
  cmd->add_option("-o,--out", o->output, "also save the plan as JSON (harc.plan/v1) to this file");
  cmd->add_flag("--json", o->json, "print the plan as JSON instead of text");
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode,
                "exit 2 when the plan has changes (0: in sync)");
}

void AddSnapshotOptions(CLI::App* cmd, Options* o) {
  AddFleetOptions(cmd, o);
  AddGatherOptions(cmd, o);
  cmd->add_option("-o,--out", o->output, "write the snapshot here (default: standard output)");
}

void AddJournalOption(CLI::App* cmd, Options* o) {
  cmd->add_option("--repo", o->repo, "fleet repository; the journal is .harc/journal.db in it")
      ->capture_default_str();
  cmd->add_option("--journal", o->journal,
                  "the journal file (default: .harc/journal.db under --repo)");
}

void AddHistoryOptions(CLI::App* cmd, Options* o) {
  AddJournalOption(cmd, o);
  cmd->add_option("--limit", o->limit, "show the newest N runs (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o->json, "print JSON instead of text");
}

void AddLocksOptions(CLI::App* cmd, Options* o) {
  AddJournalOption(cmd, o);
  cmd->add_flag("--json", o->json, "print JSON instead of text");
}

void AddUnlockOptions(CLI::App* cmd, Options* o) {
  AddJournalOption(cmd, o);
  cmd->add_option("cluster", o->unlock_cluster, "the cluster whose lease to remove")->required();
  cmd->add_option("--id", o->unlock_token, "the lease's token, as 'harc locks' shows it")
      ->required();
}

void AddApplyOptions(CLI::App* cmd, Options* o) {
  AddFleetOptions(cmd, o);
  AddGatherOptions(cmd, o);
  cmd->add_option("plan", o->plan_file,
                  "a saved plan (harc plan -o): apply exactly it, if the live state it was made "
                  "from still holds");
  cmd->add_flag("--auto-approve", o->auto_approve, "apply without asking for confirmation");
  cmd->add_option("--journal", o->journal,
                  "the journal file (default: .harc/journal.db under --repo)");
  cmd->add_flag("--json", o->json, "print the plan and progress as JSON events, one per line");
  // Refused with a reason (apply needs the live state), not as an unknown option.
  cmd->add_option("--observed", o->observed)->group("");
}

void AddDriftOptions(CLI::App* cmd, Options* o) {
  AddFleetOptions(cmd, o);
  AddObservedOption(cmd, o);
  AddGatherOptions(cmd, o);
  cmd->add_option("--format", o->format, "text (coloured on a terminal), json (harc.drift/v1) "
                                         "or markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("-o,--out", o->output, "write the report here, atomically, instead of to "
                                         "standard output");
  cmd->add_option("--journal", o->journal,
                  "the journal file (default: .harc/journal.db under --repo)");
  cmd->add_option("--since", o->since, "summarise when each cluster drifted and was corrected "
                                       "from the journal's reports of this long (7d, 12h), "
                                       "without gathering")
      ->excludes("--observed")
      ->excludes("--ref");
}

// harc watch and harc reconcile: the repository is a path or URL to fetch from.
void AddReconcileOptions(CLI::App* cmd, Options* o) {
  cmd->add_option("--repo", o->repo, "the fleet repository to fetch from: a path, file://, "
                                     "ssh://[user@]host[:port]/path or user@host:path")
      ->capture_default_str();
  cmd->add_option("--branch", o->branch, "the branch whose commits to reconcile (default main)");
  cmd->add_option("--cluster", o->clusters, "only this cluster (repeatable)")
      ->allow_extra_args(false);
  AddGatherOptions(cmd, o);
  cmd->add_option("--journal", o->journal,
                  "the journal file (default: .harc/journal.db under --repo when it is a path; "
                  "required for a URL)");
  cmd->add_option("--cache", o->cache, "where harc keeps its clone (default: "
                                       "$XDG_CACHE_HOME/harc or ~/.cache/harc), made 0700");
  cmd->add_option("--allowed-signers", o->allowed_signers,
                  "refuse commits not signed by an SSH key in this OpenSSH allowed_signers file");
  cmd->add_option("--gpg-keyring", o->gpg_keyring,
                  "refuse commits not signed by an OpenPGP key in this keyring (gpg --export)");
  cmd->add_option("--git-identity", o->git_identity,
                  "ssh remotes: the private key to fetch with (default: ssh-agent)");
  cmd->add_option("--git-known-hosts", o->git_known_hosts,
                  "ssh remotes: the known_hosts file the server's host key must be in")
      ->capture_default_str();
  cmd->add_option("--metrics", o->metrics,
                  "write a Prometheus textfile here after each cycle (replaced atomically)");
  // Refused with a reason (watch needs the live state), not as an unknown option.
  cmd->add_option("--observed", o->observed)->group("");
}

void AddWatchOptions(CLI::App* cmd, Options* o) {
  AddReconcileOptions(cmd, o);
  cmd->add_option("--interval", o->interval, "how often to fetch (30s, 5m)")->capture_default_str();
  cmd->add_option("--drift-every", o->drift_every,
                  "also run a drift check this often (1h, 1d); [gitops] auto_correct says where "
                  "harc re-applies the commit");
}

void AddReconcileOnceOptions(CLI::App* cmd, Options* o) {
  AddReconcileOptions(cmd, o);
  cmd->add_flag("--once", o->once, "one fetch/plan/apply cycle, for cron or CI (required)");
}

void AddStatusOptions(CLI::App* cmd, Options* o) {
  AddJournalOption(cmd, o);
  cmd->add_option("--branch", o->branch, "only this branch's commits (default: every branch)");
  cmd->add_option("--limit", o->limit, "show the newest N commits (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", o->json, "print JSON (harc.status/v1) instead of text");
}

// ---------------------------------------------------------------- the table

struct Command {
  const char* name;
  const char* help;
  void (*add_options)(CLI::App* cmd, Options* o);
  ExitCode (*run)(const Options& o, Console& io);
};

const Command kCommands[] = {
    {"validate", "load and check the fleet repository", AddValidateOptions, RunValidate},
    {"plan", "diff desired against observed state, compile and prove a plan, print it",
     AddPlanOptions, RunPlan},
    {"apply", "apply a saved plan, or plan and apply after confirmation", AddApplyOptions,
     RunApply},
    {"drift", "report where the live fleet differs from the declared state", AddDriftOptions,
     RunDrift},
    {"watch", "reconcile each new commit of a branch: fetch, verify, plan, apply where "
              "[gitops] allows",
     AddWatchOptions, RunWatch},
    {"reconcile", "one watch cycle (--once): fetch, verify, plan, apply where [gitops] allows",
     AddReconcileOnceOptions, RunReconcile},
    {"status", "where harc watch stands: each commit and cluster, with reasons", AddStatusOptions,
     RunStatus},
    {"snapshot", "gather the live state of the fleet and write it (harc.observed/v1)",
     AddSnapshotOptions, RunSnapshot},
    {"history", "list recent runs from the journal, with their steps", AddHistoryOptions,
     RunHistory},
    {"locks", "list the cluster leases in the journal", AddLocksOptions, RunLocks},
    {"unlock", "remove a cluster's lease, given its token (when its run is gone)",
     AddUnlockOptions, RunUnlock},
};

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const Command& c : kCommands) names.push_back(c.name);
  return names;
}

// CLI11's message for a mistyped command is "arguments were not expected";
// name the command and guess instead.
bool CheckCommandName(int argc, const char* const* argv, Console& io) {
  if (argc < 2 || argv[1][0] == '-') return true;
  std::string word = argv[1];
  std::vector<std::string> names = CommandNames();
  for (const std::string& n : names)
    if (n == word) return true;
  std::string msg = "unknown command " + QuoteForMessage(word);
  std::string guess = DidYouMean(word, names);
  if (!guess.empty()) {
    msg += " (did you mean " + QuoteForMessage(guess) + "?)";
  } else {
    msg += "; commands:";
    for (const std::string& n : names) msg += " " + n;
  }
  PrintError(io, msg);
  return false;
}

int UsageError(const CLI::App& app, const CLI::ParseError& e, Console& io) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    app.exit(e, io.out, io.err);  // --help, --version
    return ToInt(ExitCode::kOk);
  }
  PrintError(io, std::string(e.what()) + "; run 'harc --help' for usage");
  return ToInt(ExitCode::kError);
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  Console io{out, err};
  CLI::App app("harc: keep HA clusters at the state declared in a git repository", "harc");
  app.set_version_flag("--version", "harc " HARC_VERSION);
  app.require_subcommand(1);
  Options options;
  const Command* chosen = nullptr;
  for (const Command& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    c.add_options(sub, &options);
    sub->callback([&chosen, &c] { chosen = &c; });
  }
  if (!CheckCommandName(argc, argv, io)) return ToInt(ExitCode::kError);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return UsageError(app, e, io);
  }
  try {
    return ToInt(chosen->run(options, io));
  } catch (const std::exception& e) {  // a bug or resource exhaustion, not a user error
    return ToInt(PrintError(io, std::string("internal: ") + e.what()));
  }
}

}  // namespace harc
