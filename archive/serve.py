"""``cleaner serve``: the offline reader in the browser, on 127.0.0.1 by default."""

from __future__ import annotations

import ipaddress
import webbrowser
from pathlib import Path

import click

from .commands import archive_option, open_archive


def _is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(main: click.Group) -> None:
    """Add ``cleaner serve`` to the CLI group."""

    @main.command("serve")
    @click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=8765,
        show_default=True,
        help="Port to listen on (0: any free port).",
    )
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to listen on. Anything but loopback exposes your archive to the network.",
    )
    @click.option("--open", "open_browser", is_flag=True, help="Open the reader in the browser.")
    @click.option(
        "--allow-private",
        is_flag=True,
        help="Let the Add form archive private and loopback addresses (refused by default).",
    )
    @archive_option
    def serve_cmd(
        port: int, host: str, open_browser: bool, allow_private: bool, archive_dir: Path | None
    ) -> None:
        """Read, search and add to the archive in your browser (works offline, no JavaScript)."""
        from .web import create_app
        from .web.server import listen, run

        if not _is_loopback(host):
            click.echo(
                f"warning: listening on {host}: anyone who can reach this address can read "
                "your archive",
                err=True,
            )
        try:
            sock = listen(host, port)
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None
        with open_archive(archive_dir) as arc:
            app = create_app(arc, allow_private=allow_private, bind_host=host)
            shown = f"[{host}]" if ":" in host else host

            def ready(actual: int) -> None:
                """Tell the user where the reader is (and open it if asked)."""
                url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{actual}/"
                n = arc.index.count_articles()
                click.echo(f"Reading {arc.root} ({n} articles) at {url}  (Ctrl-C stops)", err=True)
                if open_browser:
                    webbrowser.open(url)

            run(app, sock, ready)
