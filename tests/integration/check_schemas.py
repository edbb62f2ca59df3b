#!/usr/bin/python3
"""Checks the files users write against the JSON Schemas in schemas/.

Usage: check_schemas.py <source-dir>

Validates every examples/**/clusters/*.toml (cluster.schema.json),
examples/**/harc.toml (harc.schema.json), and examples/**/platforms/*.toml and
schemas/platforms/*.toml (platform.schema.json). Then makes sure the schemas
reject known-bad documents, so that a schema which accepts anything cannot
pass. Prints each file checked; exits non-zero on any violation, or when no
platform file was checked. The reports harc writes (drift.schema.json:
`harc drift --format json`, with and without --since) have no files here;
their schema is held to good and bad documents the same way.
"""

import copy
import json
import pathlib
import sys
import tomllib

import jsonschema

KINDS = ("cluster", "harc", "platform")
REPORT_KINDS = ("drift",)

# Minimal valid documents; each known-bad document below is one of these with
# one thing broken, so a rejection can only be for that thing.
GOOD = {
    "cluster": {
        "name": "fw-east",
        "platform": "maestro",
        "wave": "canary",
        "software": {"hotfix": "R81.20_T89"},
        "ha": {"min_serving": 2, "max_unavailable": 2, "groups": [["m1"], ["m2"]],
               "allow_disruption": False},
        "settings": {"image_cloning": "off"},
        "member": [
            {"name": "m1", "host": "10.1.0.11", "site": 1, "settings": {"priority": 100}},
            {"name": "m2", "host": "10.1.0.12", "port": 2222, "user": "admin", "site": 2},
        ],
    },
    "harc": {
        "ssh": {"user": "admin", "port": 22, "identity": "~/.ssh/id_ed25519",
                "known_hosts": "~/.ssh/known_hosts", "connect_timeout": "10s"},
        "rollout": {"waves": ["canary", "default"], "max_parallel_clusters": 8,
                    "max_failed_clusters": 1},
        "gitops": {"auto_apply": False, "auto_correct": False,
                   "wave": {"canary": {"auto_apply": True}},
                   "cluster": {"fw-east": {"auto_apply": True, "auto_correct": True}}},
    },
    "platform": {
        "name": "pair",
        "strategy": "standby-first",
        "components": ["os"],
        "drain_fails_over": False,
        "run_settings": {"preempt": "off"},
        "facts": {
            "role": {"run": "state", "regex": "(?m)^state: (\\w+)",
                     "map": {"MASTER": "active", "BACKUP": "standby"}, "default": "down"},
            "in_cluster": {"run": "member", "map": {"yes": "true", "no": "false"}},
            "version.os": {"run": "version", "pointer": "/os/version"},
            "setting.preempt": {"run": "preempt"},
        },
        "actions": {
            "backup": {"run": "backup"},
            "drain": {"run": "stop", "until": {"fact": "role", "is": "down"}, "timeout": "1m"},
            "undrain": {"run": "start", "until": {"fact": "role", "is": "standby"}},
            "install": {"run": "install {version}",
                        "until": {"fact": "version.{component}", "is": "{version}"},
                        "timeout": "30m", "interval": "10s", "stable": "0s"},
            "failover": {"run": "failover {target}", "until": {"fact": "role", "is": "standby"}},
            "set.preempt": {"run": "preempt {value}",
                            "until": {"fact": "setting.preempt", "is": "{value}"}},
        },
    },
}


# harc drift --format json (harc.drift/v1), one cluster of each status.
GOOD["drift"] = {
    "format": "harc.drift/v1",
    "commit": "3f2a9c1d07be55aa3f2a9c1d07be55aa3f2a9c1d",
    "checked_at": "2026-01-12T10:31:02Z",
    "status": "unobservable",
    "summary": {"in_sync": 1, "drifted": 1, "unobservable": 1},
    "clusters": [
        {"cluster": "fw-dc", "platform": "dual-chassis", "wave": "default", "status": "in-sync",
         "drift": [], "unobservable": []},
        {"cluster": "gw-east", "platform": "maestro", "wave": "default", "status": "drifted",
         "drift": [
             {"class": "version", "subject": "hotfix",
              "members": [{"member": "east-1a", "desired": "R81.20_T89",
                           "observed": "R81.20_T88"}]},
             {"class": "role", "subject": "down",
              "members": [{"member": "east-1b", "desired": "", "observed": "down"}]},
             {"class": "divergence", "subject": "setting.image_cloning",
              "members": [{"member": "east-1a", "desired": "", "observed": "on"},
                          {"member": "east-1b", "desired": "", "observed": "off"}]}],
         "unobservable": []},
        {"cluster": "gw-lab", "platform": "maestro", "wave": "canary", "status": "unobservable",
         "drift": [], "unobservable": ["lab-2: connect: timed out after 10s"]},
    ],
}

# harc drift --since 7d --format json (harc.drift-history/v1): valid against
# the same schema.
DRIFT_HISTORY = {
    "format": "harc.drift-history/v1",
    "since": "2026-01-05T10:31:02Z",
    "until": "2026-01-12T10:31:02Z",
    "reports": 3,
    "clusters": [
        {"cluster": "gw-east", "reports": 3, "unobservable": 0, "status": "in-sync",
         "episodes": [{"drifted_at": "2026-01-12T10:31:02Z", "before_window": False,
                       "corrected_at": "2026-01-12T10:45:00Z",
                       "summary": "version hotfix on east-1a"}]},
    ],
}


def broken(kind, path, value=None, delete=False):
    """GOOD[kind] with the value at path (a list of keys) replaced or deleted."""
    doc = copy.deepcopy(GOOD[kind])
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


# (what is wrong, kind, document)
BAD = [
    ("cluster: unknown top-level key", "cluster", broken("cluster", ["membr"], [])),
    ("cluster: unknown member key", "cluster", broken("cluster", ["member", 0, "hots"], "x")),
    ("cluster: unknown [ha] key", "cluster", broken("cluster", ["ha", "min_servng"], 1)),
    ("cluster: port is a string", "cluster", broken("cluster", ["member", 1, "port"], "22")),
    ("cluster: version is a number", "cluster", broken("cluster", ["software", "hotfix"], 81.2)),
    ("cluster: unsafe version", "cluster", broken("cluster", ["software", "hotfix"], "$(reboot)")),
    ("cluster: no members", "cluster", broken("cluster", ["member"], [])),
    ("cluster: missing platform", "cluster", broken("cluster", ["platform"], delete=True)),
    ("cluster: setting is a float", "cluster",
     broken("cluster", ["settings", "image_cloning"], 1.5)),
    ("harc: unknown [ssh] key", "harc", broken("harc", ["ssh", "usr"], "admin")),
    ("harc: unknown table", "harc", broken("harc", ["rolout"], {})),
    ("harc: limit is a string", "harc", broken("harc", ["rollout", "max_parallel_clusters"], "8")),
    ("harc: bad duration", "harc", broken("harc", ["ssh", "connect_timeout"], "10 seconds")),
    ("harc: unknown [gitops] key", "harc", broken("harc", ["gitops", "auto_aply"], True)),
    ("harc: auto_apply is a string", "harc", broken("harc", ["gitops", "auto_apply"], "yes")),
    ("harc: unknown key in a wave's policy", "harc",
     broken("harc", ["gitops", "wave", "canary", "paused"], True)),
    ("harc: a cluster's policy is not a table", "harc",
     broken("harc", ["gitops", "cluster", "fw-east"], True)),
    ("harc: unsafe cluster name in [gitops]", "harc",
     broken("harc", ["gitops", "cluster", "a;b"], {})),
    ("platform: unknown key", "platform", broken("platform", ["strategie"], "rolling")),
    ("platform: unknown strategy", "platform", broken("platform", ["strategy"], "big-bang")),
    ("platform: max_members is a string", "platform", broken("platform", ["max_members"], "6")),
    ("platform: unknown fact key", "platform",
     broken("platform", ["facts", "role", "regexp"], "x")),
    ("platform: unknown fact", "platform", broken("platform", ["facts", "uptime"], {"run": "x"})),
    ("platform: role maps to a non-role", "platform",
     broken("platform", ["facts", "role", "map", "MASTER"], "primary")),
    ("platform: regex and pointer", "platform",
     broken("platform", ["facts", "version.os", "regex"], "(.*)")),
    ("platform: action without run", "platform",
     broken("platform", ["actions", "drain", "run"], delete=True)),
    ("platform: bad timeout", "platform",
     broken("platform", ["actions", "drain", "timeout"], 120)),
    ("platform: missing required action", "platform",
     broken("platform", ["actions", "install"], delete=True)),
    ("platform: standby-first without failover", "platform",
     broken("platform", ["actions", "failover"], delete=True)),
    ("platform: leave-update-join without leave/join", "platform",
     broken("platform", ["strategy"], "leave-update-join")),
]


def broken_history(path, value):
    """DRIFT_HISTORY with the value at path replaced."""
    doc = copy.deepcopy(DRIFT_HISTORY)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


BAD += [
    ("drift: unknown class", "drift", broken("drift", ["clusters", 1, "drift", 0, "class"], "mood")),
    ("drift: unknown role anomaly", "drift",
     broken("drift", ["clusters", 1, "drift", 1, "subject"], "sleepy")),
    ("drift: a difference with no member", "drift",
     broken("drift", ["clusters", 1, "drift", 0, "members"], [])),
    ("drift: in sync with a difference", "drift",
     broken("drift", ["clusters", 1, "status"], "in-sync")),
    ("drift: unobservable without a reason", "drift",
     broken("drift", ["clusters", 2, "unobservable"], [])),
    ("drift: missing summary", "drift", broken("drift", ["summary"], delete=True)),
    ("drift: unknown format version", "drift", broken("drift", ["format"], "harc.drift/v2")),
    ("drift: value without observed", "drift",
     broken("drift", ["clusters", 1, "drift", 0, "members", 0, "observed"], delete=True)),
    ("drift: a time that is not RFC 3339", "drift",
     broken("drift", ["checked_at"], "12/01/2026 10:31")),
    ("drift history: corrected_at is not a time", "drift",
     broken_history(["clusters", 0, "episodes", 0, "corrected_at"], "soon")),
    ("drift history: negative report count", "drift", broken_history(["reports"], -1)),
]


def load_schemas(root):
    schemas = {}
    for kind in KINDS + REPORT_KINDS:
        path = root / "schemas" / f"{kind}.schema.json"
        schema = json.loads(path.read_text())
        jsonschema.Draft7Validator.check_schema(schema)
        schemas[kind] = jsonschema.Draft7Validator(schema)
    return schemas


def files_to_check(root):
    examples = root / "examples"
    platforms = sorted(examples.glob("**/platforms/*.toml"))
    platforms += sorted((root / "schemas" / "platforms").glob("*.toml"))
    return ([("cluster", p) for p in sorted(examples.glob("**/clusters/*.toml"))] +
            [("harc", p) for p in sorted(examples.glob("**/harc.toml"))] +
            [("platform", p) for p in platforms])


def where(error):
    return "/".join(str(p) for p in error.absolute_path) or "(top)"


def check_file(schemas, kind, path, root):
    """Prints the result for one file; returns the number of violations."""
    name = path.relative_to(root)
    try:
        doc = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        print(f"FAIL {name}: not TOML: {e}")
        return 1
    errors = sorted(schemas[kind].iter_errors(doc), key=lambda e: list(e.absolute_path))
    if kind == "platform" and doc.get("name") != path.stem:
        print(f"FAIL {name}: name {doc.get('name')!r} is not the file's stem {path.stem!r}")
        return 1
    if errors:
        for e in errors:
            print(f"FAIL {name}: {where(e)}: {e.message}")
        return len(errors)
    print(f"ok   {name} ({kind})")
    return 0


def check_rejections(schemas):
    """The schemas accept GOOD and reject each of BAD; returns the failures."""
    failures = 0
    for kind, doc in GOOD.items():
        for e in schemas[kind].iter_errors(doc):
            print(f"FAIL the valid {kind} document is rejected: {where(e)}: {e.message}")
            failures += 1
    for e in schemas["drift"].iter_errors(DRIFT_HISTORY):
        print(f"FAIL the valid drift history is rejected: {where(e)}: {e.message}")
        failures += 1
    for what, kind, doc in BAD:
        if schemas[kind].is_valid(doc):
            print(f"FAIL accepted a bad document: {what}")
            failures += 1
        else:
            print(f"ok   rejects {what}")
    return failures


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: check_schemas.py <source-dir>")
    root = pathlib.Path(argv[1]).resolve()
    schemas = load_schemas(root)
    failures = 0
    checked = {kind: 0 for kind in KINDS}
    for kind, path in files_to_check(root):
        failures += check_file(schemas, kind, path, root)
        checked[kind] += 1
    if checked["platform"] == 0:
        print("FAIL no platform file found under schemas/platforms or examples/")
        failures += 1
    failures += check_rejections(schemas)
    summary = ", ".join(f"{n} {kind}" for kind, n in checked.items())
    print(f"checked {summary} file(s); {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
