#!/usr/bin/env python3
"""The test cluster's HTTP service on one host: GET / answers the version of
the package `app` installed in the host's root (the file the package ships,
read at each request, so an install changes the answer at once). Headers and
body leave in one write, so the answer is one TCP segment.

    serve.py ROOT [PORT]
"""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            with open(self.server.version_file, "rb") as f:
                body = f.read()
        except OSError as e:
            self.send_error(503, "no version: %s" % e)
            return
        head = ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                "Content-Length: %d\r\n\r\n" % len(body)).encode()
        self.wfile.write(head + body)


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128  # a loaded machine accepts late


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    server = Server(("0.0.0.0", int(sys.argv[2]) if len(sys.argv) == 3 else 80), Handler)
    server.version_file = sys.argv[1] + "/usr/share/app/www/index.html"
    server.serve_forever()


if __name__ == "__main__":
    main()
