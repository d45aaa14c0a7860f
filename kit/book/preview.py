"""A local preview of the built book: Python's own HTTP server on the HTML folder."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request drowns the terminal; errors still reach the browser


def preview_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``folder`` (not yet serving: call ``serve_forever``). Port 0 picks a free
    one; ``server.server_address`` says which."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)
