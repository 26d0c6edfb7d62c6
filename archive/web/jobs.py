"""Archiving from the reader's Add form: one background worker, jobs with progress.

Jobs run one at a time in a single thread (one WARC writer per process) and are
kept in memory only: a job page shows the steps so far and, when done, the
article or the reason it failed.

Unless the server was started with ``--allow-private``, targets on private,
loopback or link-local addresses are refused: the host name is resolved before
each request (every redirect hop and robots.txt too), not only checked when
the form is posted, and the address each connection reaches is checked again
before a byte is sent (``capture.public_only``), so a name that changes its
answer between the two (DNS rebinding) is refused too. Behind a configured proxy
the proxy resolves names and only the first check applies.
"""

from __future__ import annotations

import ipaddress
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..capture import Fetcher, FetchError, FetchResult, check_target, is_public, public_only
from ..store import Archive, ArchiveError

MAX_JOBS = 200


def check_url(url: str, allow_private: bool) -> str:
    """Validate a URL typed into the Add form (before any I/O); returns it stripped.

    Raises ``FetchError`` with a reason a person can act on.
    """
    url = url.strip()
    if not url:
        raise FetchError("enter the address of a page (http:// or https://)")
    if len(url) > 4096:
        raise FetchError("that address is too long")
    check_target(url, allow_private=allow_private)
    host = (urlsplit(url).hostname or "").lower()
    if not allow_private and (host == "localhost" or host.endswith(".localhost")):
        raise FetchError(f"refused {url!r}: private or loopback address")
    return url


def resolve_public(url: str) -> None:
    """Raise ``FetchError`` unless every address the URL's host resolves to is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not is_public(ip):
            raise FetchError(
                f"refused {url!r}: {host} resolves to {ip}, a private or loopback address"
            )


class GuardedFetcher(Fetcher):
    """A Fetcher that reports each request and, optionally, refuses private addresses."""

    def __init__(self, *, allow_private: bool, report: Callable[[str], None], **kwargs: Any):
        """Configure like ``Fetcher``; ``report`` receives one line per request."""
        super().__init__(**kwargs)
        self.allow_private = allow_private
        self.report = report

    def fetch(
        self, url: str, *, max_redirects: int | None = None, retries: int | None = None
    ) -> FetchResult:
        """Fetch as ``Fetcher`` does, reporting the request and its outcome."""
        self.report(f"fetching {url}")
        result = super().fetch(url, max_redirects=max_redirects, retries=retries)
        final = result.final
        self.report(f"  HTTP {final.status}, {len(final.body)} bytes" if final.status else "")
        return result

    def _one(self, url: str, budget: Any = None) -> Any:
        """One request; the host is checked first unless private targets are allowed."""
        if self.allow_private:
            return super()._one(url, budget)
        # Checked before (a clear message) and again at connect time (DNS can change).
        resolve_public(url)
        with public_only():
            return super()._one(url, budget)


@dataclass
class Job:
    """One Add request: its URL, tags, state (queued, running, done, failed) and log."""

    id: str
    url: str
    tags: tuple[str, ...]
    state: str = "queued"
    log: list[str] = field(default_factory=list)
    article_id: int | None = None
    title: str | None = None
    reason: str = ""
    created: float = field(default_factory=time.time)

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done or failed)."""
        return self.state in ("done", "failed")


class Jobs:
    """The job list and its single worker thread."""

    def __init__(
        self,
        archive: Archive,
        allow_private: bool,
        fetcher_options: dict[str, Any] | None = None,
    ):
        """Prepare (the worker starts with the first job)."""
        self.archive = archive
        self.allow_private = allow_private
        self.fetcher_options = fetcher_options or {}
        self.jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, url: str, tags: tuple[str, ...]) -> Job:
        """Queue a validated URL; returns the new job."""
        job = Job(secrets.token_urlsafe(9), url, tags)
        with self._lock:
            if len(self.jobs) >= MAX_JOBS:
                for old in [j for j in self.jobs.values() if j.finished][: MAX_JOBS // 2]:
                    del self.jobs[old.id]
            self.jobs[job.id] = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="reader-jobs", daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        """A job by id."""
        with self._lock:
            return self.jobs.get(job_id)

    def recent(self, n: int = 10) -> list[Job]:
        """The latest jobs, newest first."""
        with self._lock:
            return sorted(self.jobs.values(), key=lambda j: j.created, reverse=True)[:n]

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after the current job (queued jobs are dropped)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)

    def _work(self) -> None:
        """Run queued jobs one after another."""
        while True:
            job = self._queue.get()
            if job is None:
                return
            self.run(job)

    def run(self, job: Job) -> None:
        """Archive one job's URL, recording progress and the outcome on the job."""
        job.state = "running"

        def report(line: str) -> None:
            """Add a progress line."""
            if line:
                job.log.append(line)

        fetcher = GuardedFetcher(
            allow_private=self.allow_private, report=report, **self.fetcher_options
        )
        try:
            outcome = self.archive.archive_url(job.url, fetcher, job.tags)
        except (ArchiveError, FetchError, OSError) as exc:
            job.state, job.reason = "failed", str(exc)
            return
        job.article_id, job.title = outcome.article_id, outcome.title
        if outcome.status == "failed":
            job.state, job.reason = "failed", outcome.reason
        else:
            job.state = "done"
            job.log.append("already in the archive" if outcome.status == "exists" else "archived")
