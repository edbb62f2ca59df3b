#include "compiler/drift_markdown.h"

#include <string_view>

#include <fmt/format.h>

#include "compiler/diag.h"

namespace harc {

namespace {

// A code span; escaped text when s holds a backtick (a span could not hold it
// without changing how it reads); "" stays empty.
std::string Code(std::string_view s) {
  if (s.empty()) return "";
  if (s.find('`') != std::string_view::npos) return MarkdownText(s);
  std::string out = "`";
  for (char c : ShowControlBytes(s)) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out + "`";
}

std::string Status(DriftStatus s) {
  return s == DriftStatus::kInSync ? "in sync" : fmt::format("**{}**", DriftStatusName(s));
}

std::string Checked(const DriftReport& r) {
  std::string against = r.commit.empty() ? "the working tree"
                                         : fmt::format("commit {}", Code(r.commit.substr(0, 12)));
  if (r.checked_at.empty()) return fmt::format("Compared against {}.\n", against);
  return fmt::format("Checked {} against {}.\n", MarkdownText(r.checked_at), against);
}

std::string ClusterTable(const DriftReport& r) {
  std::string out = "| cluster | platform | wave | status |\n|---|---|---|---|\n";
  for (const ClusterDrift& c : r.clusters)
    out += fmt::format("| {} | {} | {} | {} |\n", MarkdownText(c.cluster), MarkdownText(c.platform),
                       MarkdownText(c.wave), Status(c.status));
  return out;
}

std::string ItemTable(const ClusterDrift& c) {
  std::string out = "| class | subject | member | observed | declared |\n|---|---|---|---|---|\n";
  for (const DriftItem& item : c.items)
    for (const DriftValue& v : item.members)
      out += fmt::format("| {} | {} | {} | {} | {} |\n", DriftClassName(item.cls),
                         Code(item.subject), Code(v.member),
                         v.observed.empty() ? "(not observed)" : Code(v.observed),
                         Code(v.desired));
  return out;
}

std::string Section(const ClusterDrift& c) {
  std::string out =
      fmt::format("\n### {}: {}\n", MarkdownText(c.cluster), DriftStatusName(c.status));
  if (!c.unobservable.empty()) {
    out += "\nNot observed:\n\n";
    for (const std::string& why : c.unobservable) out += "- " + MarkdownText(why) + "\n";
  }
  if (!c.items.empty()) out += "\n" + ItemTable(c);
  return out;
}

}  // namespace

std::string MarkdownText(std::string_view s) {
  std::string out;
  for (char c : ShowControlBytes(s)) {
    if (std::string_view("\\`*_[]<>|#~!").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string RenderDriftMarkdown(const DriftReport& r) {
  std::string out = fmt::format("## harc drift: {} drifted, {} in sync, {} unobservable\n\n",
                                r.Count(DriftStatus::kDrifted), r.Count(DriftStatus::kInSync),
                                r.Count(DriftStatus::kUnobservable));
  out += Checked(r) + "\n" + ClusterTable(r);
  for (const ClusterDrift& c : r.clusters)
    if (c.status != DriftStatus::kInSync) out += Section(c);
  return out;
}

}  // namespace harc
