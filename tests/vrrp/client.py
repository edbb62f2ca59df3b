#!/usr/bin/env python3
"""Sends HTTP requests to the cluster's virtual address, one after another,
until a stop file appears or a bound is reached, and writes what it saw.

Each request is a new TCP connection (GET / HTTP/1.0) through the test's
bridge only (SO_BINDTODEVICE), so nothing can leave the machine; the answer
is in once its Content-Length bytes are. A request
counts as failed on any error, timeout, status other than 200 or a body that
is not a version. The one exception: a request whose connection was refused
(no server held the address: it was moving) is retried once within the
request's timeout, and the retry is counted with its reason. A connection
reset counts as failed, whenever it comes.

Writes a JSON summary to --out: sent, ok, failed, retried, the longest gap between two successful responses, the
versions answered in order, every failure and retry. Prints "ready" once the
first response is in.
"""
import argparse
import json
import os
import re
import socket
import sys
import time

VERSION = re.compile(r"^[0-9][A-Za-z0-9.+~:-]*$")
TCP_FASTOPEN_CONNECT = getattr(socket, "TCP_FASTOPEN_CONNECT", 30)  # Linux 4.11


class Refused(Exception):
    """No server took the request: the connection was refused."""


def complete(data):
    """Whether data holds the headers and the Content-Length bytes of body:
    the answer is in, whatever happens to the connection after."""
    head, sep, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return bool(sep and length and len(body) >= int(length.group(1)))


def request(args, deadline):
    """One HTTP exchange: returns the body's version; raises Refused, or
    RuntimeError naming what broke, in which phase, on which local port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    phase, port, data = "connect", 0, b""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.device.encode())
        # The request leaves with the handshake's last ACK, sent by the kernel
        # (connect() returns at once; the first send opens the connection), as
        # a client in C would send it: no scheduling gap between the two.
        s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1)
        s.settimeout(max(deadline - time.monotonic(), 0.001))
        s.connect((args.address, args.port))
        port = s.getsockname()[1]
        phase = "send"
        s.sendall(b"GET / HTTP/1.0\r\nHost: " + args.address.encode() + b"\r\n\r\n")
        phase = "receive"
        while not complete(data):
            s.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionRefusedError as e:
        raise Refused("refused during %s: %s" % (phase, e))
    except ConnectionResetError:
        raise RuntimeError("reset during %s after %d bytes of the answer (local port %d)"
                           % (phase, len(data), port))
    except OSError as e:
        raise RuntimeError("%s during %s (local port %d): %s" % (type(e).__name__, phase, port, e))
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if not status.startswith("HTTP/1.") or status.split()[1:2] != ["200"]:
        raise RuntimeError("status line %r" % status)
    version = body.decode(errors="replace").strip()
    if not VERSION.match(version):
        raise RuntimeError("body %r is not a version" % version[:80])
    return version


def attempt(args):
    """(version or None, why it was retried or "", why it failed or "")."""
    deadline = time.monotonic() + args.timeout
    retry = ""
    while True:
        try:
            return request(args, deadline), retry, ""
        except Refused as e:
            if retry or time.monotonic() >= deadline:
                return None, retry, "%s%s" % (e, " (after a retry)" if retry else "")
            retry = str(e)
        except RuntimeError as e:
            return None, retry, str(e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--device", required=True, help="the bridge to send through")
    ap.add_argument("--stop-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    ap.add_argument("--pause", type=float, default=0.02, help="seconds between requests")
    ap.add_argument("--max-seconds", type=float, default=240.0)
    ap.add_argument("--max-requests", type=int, default=50000)
    args = ap.parse_args()

    start = time.monotonic()
    sent = ok = failed = 0
    retries = []
    last_ok = None
    longest_gap = 0.0
    versions = []  # [version, count] runs in the order answered
    failures = []
    ready = False
    while (not os.path.exists(args.stop_file) and sent < args.max_requests
           and time.monotonic() - start < args.max_seconds):
        sent += 1
        version, retry, error = attempt(args)
        now = time.monotonic()
        stamp = {"at": round(now - start, 3), "wall": time.strftime("%H:%M:%S", time.gmtime())}
        if retry:
            retries.append(dict(stamp, why=retry))
        if version is None:
            failed += 1
            failures.append(dict(stamp, error=error))
        else:
            ok += 1
            if last_ok is not None:
                longest_gap = max(longest_gap, now - last_ok)
            last_ok = now
            if versions and versions[-1][0] == version:
                versions[-1][1] += 1
            else:
                versions.append([version, 1])
            if not ready:
                print("ready", flush=True)
                ready = True
        time.sleep(args.pause)
    summary = {
        "seconds": round(time.monotonic() - start, 3),
        "sent": sent,
        "ok": ok,
        "failed": failed,
        "retried": len(retries),
        "longest_gap_ms": round(longest_gap * 1000),
        "versions": versions,
        "failures": failures[:50],
        "retries": retries[:50],
        "stopped_by": "stop file" if os.path.exists(args.stop_file) else "bound",
    }
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=1)
    print("sent %d, ok %d, failed %d, retried %d, longest gap %d ms" %
          (sent, ok, failed, len(retries), summary["longest_gap_ms"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
