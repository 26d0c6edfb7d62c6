"""Running the reader with uvicorn: in the foreground (the CLI) or in a thread (tests, bench)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn


def config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """uvicorn settings for the reader: no proxy headers trusted, quiet access log."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_level="warning",
        lifespan="on",
        **extra,
    )


def bound_port(server: uvicorn.Server) -> int:
    """The port the running server listens on (useful with port 0)."""
    for srv in server.servers:
        for sock in srv.sockets:
            return int(sock.getsockname()[1])
    raise RuntimeError("server has no listening socket")


class ServerThread:
    """The reader on ``host:port`` in a daemon thread; a context manager yielding itself."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0):
        """Prepare (nothing listens until ``start``)."""
        self.server = uvicorn.Server(config(app, host, port))
        self.host = host
        self.port = 0
        self.thread = threading.Thread(target=self.server.run, name="reader", daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> ServerThread:
        """Start and wait until the server listens."""
        self.thread.start()
        end = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > end:
                raise RuntimeError("the reader did not start")
            time.sleep(0.01)
        self.port = bound_port(self.server)
        return self

    def stop(self) -> None:
        """Ask the server to exit and wait for it."""
        self.server.should_exit = True
        self.thread.join(10)

    def __enter__(self) -> ServerThread:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def run(app: Any, sock: socket.socket, on_ready: Callable[[int], None]) -> None:
    """Serve on a bound socket until interrupted; ``on_ready(port)`` runs once serving."""
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(config(app, str(host), int(port)))

    def announce() -> None:
        """Wait for the server to start, then call ``on_ready``."""
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            on_ready(int(port))

    threading.Thread(target=announce, daemon=True).start()
    server.run(sockets=[sock])
