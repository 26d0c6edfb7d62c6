"""Second opinion from pywb: does it replay the pages our WARCs hold, byte for byte?

Usage: python bench/pywb_replay.py PYWB_VENV ARCHIVE_DIR [--limit N]

PYWB_VENV is a separate virtualenv with pywb installed (a benchmark-only tool, never a
dependency): ``python3 -m venv /tmp/pywbenv && /tmp/pywbenv/bin/pip install pywb``.
The script makes a pywb collection of the archive's WARC files, starts ``wayback`` on
127.0.0.1, asks it for each archived article in raw ``id_`` mode and compares the body
with the original entity body we stored. Exit 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.payload import entity_body
from archive.store import Archive


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    """Replay every archived article through pywb and compare bodies."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pywb_venv", type=Path)
    ap.add_argument("archive", type=Path)
    ap.add_argument("--limit", type=int, default=50)
    args = ap.parse_args()
    bin_dir = args.pywb_venv / "bin"
    work = Path(tempfile.mkdtemp(prefix="pywb-"))
    try:
        subprocess.run(
            [bin_dir / "wb-manager", "init", "arc"], cwd=work, check=True, capture_output=True
        )
        warcs = sorted(str(p) for p in (args.archive / "warc").glob("*.warc.gz"))
        subprocess.run(
            [bin_dir / "wb-manager", "add", "arc", *warcs],
            cwd=work,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [bin_dir / "wayback", "-b", "127.0.0.1", "-p", str(port)],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            ok = bad = 0
            with Archive(args.archive) as arc:
                for row in arc.index.list_articles(limit=args.limit):
                    block, url = arc.response_block(row["record"])
                    want = entity_body(block)
                    replay = f"http://127.0.0.1:{port}/arc/id_/{url}"
                    try:
                        got = urllib.request.urlopen(replay, timeout=10).read()
                    except OSError as exc:
                        got = f"<{exc}>".encode()
                    if got == want:
                        ok += 1
                    else:
                        bad += 1
                        print(f"MISMATCH {url}: pywb gave {len(got)} bytes, we stored {len(want)}")
            print(
                f"pywb replayed {ok} of {ok + bad} archived pages byte-identically "
                f"({len(warcs)} WARC files)"
            )
            return 0 if bad == 0 and ok > 0 else 1
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
