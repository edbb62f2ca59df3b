#!/usr/bin/python3
"""Checks for gather_test.sh: what harc gathered from the sandbox, and what the
sandbox saw of it (its audit log and its sshd logs). Each check prints what
is wrong and exits 1, or exits 0 silently.

  gather_check.py snapshot SNAPSHOT STATE PLATFORMS [CLUSTER/MEMBER REGEX]
      Every sandbox member is in the snapshot at its sandbox address. The one
      named, if any, is unobserved with a reason matching REGEX and no facts;
      every other one is observed with every fact its platform declares.
  gather_check.py plan PLAN_JSON CLUSTERS [UNOBSERVABLE_CLUSTER]
      The plan has CLUSTERS clusters, each with changes, except the one named,
      which is unobservable.
  gather_check.py commands STATE SINCE RUNS [ADDRESS]
      Since SINCE (seconds since the epoch) every member's address received
      one command per run, RUNS in all (one session and one round trip per
      member and run), except ADDRESS, if given, which received none.
  gather_check.py unauthenticated OFFSETS ADDRESS
      In the sshd logs past OFFSETS ("log bytes" lines), ADDRESS was
      connected to, and no connection to it so much as offered a key.
  gather_check.py jumped STATE BASTION OFFSETS
      In the sshd logs past OFFSETS ("log bytes" lines), every member was
      reached through the bastion: one forward through it to each member's
      address, one connection to each member's address (the forwarded one:
      a direct one would make two), and one connection to the bastion per
      member.
"""
import json
import re
import sys
import tomllib


def members(state):
    """(cluster, member, platform, address) of every sandbox member."""
    with open(f"{state}/members.tsv") as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]


def problems_snapshot(snapshot, state, platforms, failing=None, regex=None):
    with open(snapshot) as f:
        observed = json.load(f)["clusters"]
    out = []
    for cluster, member, platform, address in members(state):
        key = f"{cluster}/{member}"
        m = observed.get(cluster, {}).get("members", {}).get(member)
        if m is None:
            out.append(f"{key}: not in the snapshot")
            continue
        if m["host"] != address:
            out.append(f"{key}: host {m['host']}, expected {address}")
        if key == failing:
            if m["reachable"] or not re.search(regex, m.get("error", "")):
                out.append(f"{key}: expected unobserved with /{regex}/, got {m}")
            if m.get("facts"):
                out.append(f"{key}: unobserved but has facts {m['facts']}")
            continue
        with open(f"{platforms}/{platform}.toml", "rb") as f:
            declared = set(tomllib.load(f)["facts"])
        if not m["reachable"]:
            out.append(f"{key}: not observed: {m.get('error')}")
        elif set(m.get("facts", {})) != declared:
            out.append(f"{key}: facts {sorted(m.get('facts', {}))}, "
                       f"{platform} declares {sorted(declared)}")
    return out


def problems_plan(plan_json, clusters, unobservable=None):
    with open(plan_json) as f:
        plan = json.load(f)["clusters"]
    out = []
    if len(plan) != int(clusters):
        out.append(f"{len(plan)} clusters in the plan, expected {clusters}")
    for c in plan:
        want = "unobservable" if c["cluster"] == unobservable else "changes"
        if c["status"] != want:
            out.append(f"{c['cluster']}: {c['status']}, expected {want}")
    return out


def problems_commands(state, since, runs, silent=None):
    received = {}
    with open(f"{state}/audit.jsonl") as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "command" and r["t"] >= float(since):
                received[r["address"]] = received.get(r["address"], 0) + 1
    out = []
    for cluster, member, _, address in members(state):
        want = 0 if address == silent else int(runs)
        if received.get(address, 0) != want:
            out.append(f"{cluster}/{member} ({address}): {received.get(address, 0)} "
                       f"commands, expected {want}")
    return out


def logs_since(offsets):
    """What the sshd logs listed in OFFSETS gained past their offsets."""
    text = ""
    with open(offsets) as f:
        for line in f:
            log, start = line.split()
            with open(log, errors="replace") as lf:
                lf.seek(int(start))
                text += lf.read()
    return text


def problems_unauthenticated(offsets, address):
    text = logs_since(offsets)
    connected = list(re.finditer(
        rf"^Connection from (\S+) port (\d+) on {re.escape(address)} port \d+", text, re.M))
    if not connected:
        return [f"no connection to {address}"]
    out = []
    for c in connected:
        client = rf"from {re.escape(c[1])} port {c[2]} "
        # Until the client's port is used again, its lines are this connection's.
        reuse = re.compile(rf"^Connection {client}", re.M).search(text, c.end())
        region = text[c.end():reuse.start() if reuse else len(text)]
        if re.search(rf"publickey for \S+ {client}", region):
            out.append(f"the connection {client}to {address} offered a key")
    return out


def problems_jumped(state, bastion, offsets):
    connections, forwards = {}, {}
    text = logs_since(offsets)
    for a in re.findall(r"^Connection from \S+ port \d+ on (\S+) port \d+", text, re.M):
        connections[a] = connections.get(a, 0) + 1
    for a in re.findall(r"server_request_direct_tcpip.*, target (\S+) port \d+$", text, re.M):
        forwards[a] = forwards.get(a, 0) + 1
    all_members = members(state)
    out = []
    if connections.get(bastion, 0) != len(all_members):
        out.append(f"{connections.get(bastion, 0)} connections to the bastion {bastion}, "
                   f"expected {len(all_members)}")
    for cluster, member, _, address in all_members:
        if forwards.get(address, 0) != 1 or connections.get(address, 0) != 1:
            out.append(f"{cluster}/{member} ({address}): {forwards.get(address, 0)} forwards "
                       f"through the bastion and {connections.get(address, 0)} connections, "
                       "expected 1 and 1")
    return out


CHECKS = {"snapshot": problems_snapshot, "plan": problems_plan,
          "commands": problems_commands, "unauthenticated": problems_unauthenticated,
          "jumped": problems_jumped}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CHECKS:
        sys.exit(__doc__)
    found = CHECKS[sys.argv[1]](*sys.argv[2:])
    for p in found:
        print(f"gather_check {sys.argv[1]}: {p}", file=sys.stderr)
    sys.exit(1 if found else 0)
