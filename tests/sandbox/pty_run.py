#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as an operator at a terminal would.

  pty_run.py [--answer TEXT --after PROMPT] [--timeout SECONDS] -- COMMAND...

Standard input, output and error of COMMAND are the terminal (120 columns).
With --answer, TEXT and Enter are typed once PROMPT has appeared in what the
command wrote. Everything written to the terminal is copied to standard
output, unchanged (escape sequences included). Exits with COMMAND's exit
status; 124 when it ran past the timeout (it is killed), 125 when PROMPT never
appeared before it exited.
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--answer")
    parser.add_argument("--after")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    if (args.answer is None) != (args.after is None):
        parser.error("--answer and --after go together")

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args.command[0], args.command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    seen = b""
    answered = args.answer is None
    deadline = time.monotonic() + args.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(seen)
            print(f"\npty_run: timed out after {args.timeout}s", file=sys.stderr)
            return 124
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the command exited and the terminal closed
            chunk = b""
        if not chunk:
            break
        seen += chunk
        if not answered and args.after.encode() in seen:
            os.write(fd, args.answer.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(seen)
    sys.stdout.flush()
    if not answered:
        print(f"pty_run: {args.after!r} never appeared", file=sys.stderr)
        return 125
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by a signal: as a shell says


if __name__ == "__main__":
    sys.exit(main())
