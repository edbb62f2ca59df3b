#include "reconciler/drift_history.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "compiler/diag.h"
#include "compiler/drift_markdown.h"
#include "reconciler/time_text.h"

namespace harc {

namespace {

// Follows one cluster's records, oldest first.
void Follow(const DriftRecord& r, int64_t since_ms, ClusterDriftHistory* h) {
  const bool in_window = r.checked_ms >= since_ms;
  const bool found = !r.summary.empty();
  h->status = r.status;
  if (in_window) {
    ++h->reports;
    h->unobservable += r.status == "unobservable";
  }
  DriftEpisode* open =
      h->episodes.empty() || h->episodes.back().corrected_ms ? nullptr : &h->episodes.back();
  if (found && !open) h->episodes.push_back({r.checked_ms, !in_window, 0, r.summary});
  if (r.status == "in-sync" && open) open->corrected_ms = r.checked_ms;
}

std::string Times(int n, const char* once) {
  return n == 1 ? once : fmt::format("{} times", n);
}

std::string StatusWords(const std::string& status) {
  return status == "in-sync" ? "in sync" : status;
}

std::string Reports(int n) { return fmt::format("{} report{}", n, n == 1 ? "" : "s"); }

std::string Drifted(const DriftEpisode& e) {
  return FormatTime(e.drifted_ms) + (e.before_window ? " (before the window)" : "");
}

std::string Corrected(const DriftEpisode& e) {
  if (!e.corrected_ms) return "";
  return FormatTime(e.corrected_ms) + " after " + FormatDuration(e.corrected_ms - e.drifted_ms);
}

// "gw-east: 4 reports, 1 unobservable, drifted once, in sync now"
std::string Headline(const ClusterDriftHistory& c) {
  std::string out = ShowControlBytes(c.cluster) + ": " + Reports(c.reports);
  if (c.unobservable) out += fmt::format(", {} unobservable", c.unobservable);
  if (!c.episodes.empty())
    out += ", drifted " + Times(static_cast<int>(c.episodes.size()), "once");
  return out + ", " + StatusWords(c.status) + " now";
}

std::string EpisodeLine(const DriftEpisode& e) {
  std::string out = "drifted " + Drifted(e);
  out += e.corrected_ms ? ", corrected " + Corrected(e) : ", not corrected";
  return out + ": " + ShowControlBytes(e.summary);
}

}  // namespace

DriftHistory SummariseDrift(const std::vector<DriftRecord>& records, int64_t since_ms,
                            int64_t until_ms, const std::vector<std::string>& clusters) {
  DriftHistory h;
  h.since_ms = since_ms;
  h.until_ms = until_ms;
  std::map<std::string, ClusterDriftHistory> by_name;
  int64_t last_check = 0;
  for (const DriftRecord& r : records) {
    if (!clusters.empty() &&
        std::find(clusters.begin(), clusters.end(), r.cluster) == clusters.end())
      continue;
    if (r.checked_ms >= since_ms && r.check_id != last_check) ++h.reports;
    if (r.checked_ms >= since_ms) last_check = r.check_id;
    ClusterDriftHistory& c = by_name[r.cluster];
    c.cluster = r.cluster;
    Follow(r, since_ms, &c);
  }
  for (auto& [name, c] : by_name) h.clusters.push_back(std::move(c));
  return h;
}

std::string RenderDriftHistoryText(const DriftHistory& h) {
  std::string out = fmt::format("Drift from {} to {}: {}.\n", FormatTime(h.since_ms),
                                FormatTime(h.until_ms), Reports(h.reports));
  for (const ClusterDriftHistory& c : h.clusters) {
    out += Headline(c) + "\n";
    for (const DriftEpisode& e : c.episodes) out += "  " + EpisodeLine(e) + "\n";
  }
  return out;
}

std::string RenderDriftHistoryMarkdown(const DriftHistory& h) {
  std::string out = fmt::format("## harc drift from {} to {}: {}\n\n", FormatTime(h.since_ms),
                                FormatTime(h.until_ms), Reports(h.reports));
  out += "| cluster | reports | unobservable | now | drifted | corrected | what drifted |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const ClusterDriftHistory& c : h.clusters) {
    auto row = [&](const std::string& drifted, const std::string& corrected,
                   const std::string& what) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", MarkdownText(c.cluster),
                         c.reports, c.unobservable, StatusWords(c.status), drifted, corrected,
                         MarkdownText(what));
    };
    if (c.episodes.empty()) row("", "", "");
    for (const DriftEpisode& e : c.episodes)
      row(Drifted(e), e.corrected_ms ? Corrected(e) : "not corrected", e.summary);
  }
  return out;
}

std::string RenderDriftHistoryJson(const DriftHistory& h) {
  using nlohmann::json;
  json clusters = json::array();
  for (const ClusterDriftHistory& c : h.clusters) {
    json episodes = json::array();
    for (const DriftEpisode& e : c.episodes)
      episodes.push_back({{"drifted_at", FormatTime(e.drifted_ms)},
                          {"before_window", e.before_window},
                          {"corrected_at", e.corrected_ms ? FormatTime(e.corrected_ms) : ""},
                          {"summary", e.summary}});
    clusters.push_back({{"cluster", c.cluster},
                        {"reports", c.reports},
                        {"unobservable", c.unobservable},
                        {"status", c.status},
                        {"episodes", episodes}});
  }
  json doc = {{"format", DriftHistory::kFormat},
              {"since", FormatTime(h.since_ms)},
              {"until", FormatTime(h.until_ms)},
              {"reports", h.reports},
              {"clusters", clusters}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace harc
