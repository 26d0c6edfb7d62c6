"""cleaner/ is a pure library: no archive imports, no network, no database, no disk writes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cleaner"
FORBIDDEN = {
    "archive",
    "socket",
    "ssl",
    "http",
    "urllib.request",
    "requests",
    "httpx",
    "aiohttp",
    "urllib3",
    "sqlite3",
    "warcio",
    "smtplib",
    "ftplib",
    "subprocess",
    "asyncio",
    "multiprocessing",
    "shutil",
    "tempfile",
}


def _imports(path: Path) -> set[str]:
    """Every module name a source file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_cleaner_source_imports_nothing_forbidden():
    """No module in cleaner/ imports archive/, a network or a database module."""
    bad = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        hits = {
            n
            for n in _imports(path)
            if n in FORBIDDEN or n.split(".")[0] in FORBIDDEN or n.startswith("urllib.req")
        }
        if hits:
            bad[path.name] = sorted(hits)
    assert bad == {}


def test_importing_and_running_cleaner_loads_no_network_or_database_module():
    """At run time, importing cleaner and cleaning a page pulls in no forbidden module."""
    code = (
        "import sys; from cleaner import clean; "
        "clean(b'<html><body><p>' + b'word, ' * 50 + b'</p></body></html>', "
        "url='https://a.test/'); "
        "mods = set(sys.modules); "
        f"bad = sorted(m for m in mods if m.split('.')[0] in {sorted(FORBIDDEN - {'http'})!r} "
        "or m in ('http.client', 'urllib.request')); print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cleaner_never_opens_files_for_writing():
    """No open(..., 'w'), write_text or write_bytes anywhere in cleaner/."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in (
            ".write_text(",
            ".write_bytes(",
            "open(",
            "os.remove",
            "os.unlink",
            ".mkdir(",
        ):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []
