"""The dashboard's HTTP server: static files, the JSON API and ``/metrics``.

Position: ``conveyor dashboard`` calls :func:`serve`; tests call :func:`make_server` and
run it in a thread. The server only reads the database, opening it per request, so it
follows a workflow that is still running and never blocks its writer (WAL mode)::

    browser --GET /            --> static/index.html (+ app.js, charts.js, style.css)
            --GET /api/summary --> api.summary(reader, query) --> JSON
            --GET /metrics     --> metrics.render_metrics --> Prometheus text
"""

from __future__ import annotations

import json
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qsl, urlsplit

from conveyor.monitoring.dashboard.api import ROUTES, NotFound
from conveyor.monitoring.dashboard.metrics import CONTENT_TYPE, render_metrics
from conveyor.monitoring.reader import open_reader
from conveyor.monitoring.schema import MonitoringDatabaseError

__all__ = ["DashboardServer", "make_server", "serve"]

_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/charts.js": ("charts.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}


class DashboardServer(ThreadingHTTPServer):
    """A threading HTTP server that knows which database it shows."""

    daemon_threads = True

    def __init__(self, db_path: str, address: tuple[str, int], rundir: str | None = None) -> None:
        self.db_path = db_path
        #: show the newest run started in this run directory unless a page asks for a run
        self.rundir = rundir
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The page's address."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


class _Handler(BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if self.server.rundir and not query.get("run"):
            query["rundir"] = self.server.rundir
        if parts.path in _STATIC:
            name, ctype = _STATIC[parts.path]
            data = resources.files(__package__).joinpath("static", name).read_bytes()
            self._send(HTTPStatus.OK, data, ctype)
        elif parts.path in ROUTES or parts.path == "/metrics":
            self._answer(parts.path, query)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _answer(self, path: str, query: dict[str, str]) -> None:
        try:
            with open_reader(self.server.db_path) as reader:
                if path == "/metrics":
                    run = reader.run(query.get("run") or None, query.get("rundir"))
                    text = render_metrics(reader, run)
                    self._send(HTTPStatus.OK, text.encode(), CONTENT_TYPE)
                    return
                body = json.dumps(ROUTES[path](reader, query), default=str).encode()
        except NotFound as e:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": str(e)})
        except MonitoringDatabaseError as e:
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(e)})
        else:
            self._send(HTTPStatus.OK, body, "application/json")

    def _send_json(self, status: HTTPStatus, data: object) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _send(self, status: HTTPStatus, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        """Quiet: the dashboard does not log each request."""


def make_server(
    db_path: str, host: str = "127.0.0.1", port: int = 0, rundir: str | None = None
) -> DashboardServer:
    """A dashboard server bound to ``host:port`` (0: a free port); not yet serving."""
    return DashboardServer(db_path, (host, port), rundir)


def serve(
    db_path: str, host: str = "127.0.0.1", port: int = 8050, rundir: str | None = None
) -> int:
    """Serve the dashboard until interrupted; print its address first. Returns 0."""
    try:
        server = make_server(db_path, host, port, rundir)
    except OSError as e:
        raise SystemExit(f"conveyor dashboard: cannot listen on {host}:{port}: {e.strerror}") from e
    print(f"conveyor dashboard: {db_path} at {server.url}  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(file=sys.stderr)
    finally:
        server.server_close()
    return 0
