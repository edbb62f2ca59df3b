// The drift report as Markdown (GitHub flavour), ready to paste into a ticket
// or a pull request: a title with the counts, what was compared, a table of
// the clusters, then a section per cluster that is not in sync with a table
// of its differences (class, subject, member, observed, declared) and the
// members that could not be observed:
//
//   ## harc drift: 1 drifted, 1 in sync, 0 unobservable
//
//   Checked 2026-01-12T10:31:02Z against commit `3f2a9c1d07be`.
//
//   | cluster | platform | wave | status |
//   |---|---|---|---|
//   | fw-dc | dual-chassis | default | in sync |
//   | gw-east | maestro | default | **drifted** |
//
//   ### gw-east: drifted
//
//   | class | subject | member | observed | declared |
//   |---|---|---|---|---|
//   | version | `hotfix` | `east-1a` | `R81.20_T88` | `R81.20_T89` |
//
// Values from devices are in code spans (a `|` escaped), or escaped text when
// they hold a backtick; control bytes are shown as \xNN, so no value can break
// a table or inject markup. drift_markdown_test.cc pins the format.
#pragma once

#include <string>
#include <string_view>

#include "compiler/drift.h"

namespace harc {

std::string RenderDriftMarkdown(const DriftReport& report);

// s as Markdown text: control bytes shown as \xNN, punctuation escaped.
std::string MarkdownText(std::string_view s);

}  // namespace harc
