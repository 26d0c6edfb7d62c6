"""The reader application: routes, shared state, rendering and error pages.

``create_app(archive)`` builds a Starlette app over an open ``Archive``. The
security middleware (``security.py``) wraps everything, Starlette's own error
handling included, so every response carries the reader's headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..store import Archive
from .jobs import Jobs
from .queries import Cache
from .security import SecurityMiddleware, Tokens

HERE = Path(__file__).resolve().parent
SIZES = ("s", "m", "l", "xl")
SIZE_COOKIE = "reader_size"
MAX_FORM = 16 * 1024
# Page handlers run in a thread pool (SQLite releases the GIL while it searches). Eight
# threads rather than anyio's 40: under 32 concurrent searches, fewer threads fighting for
# the GIL served more requests and cut the p99 latency (measured with bench/serve_load.py:
# 40 threads ~180 ms, 8 threads ~115 ms for searches that miss the cache).
HANDLER_THREADS = 8
MESSAGES = {
    400: "That request could not be understood.",
    403: "That request was refused.",
    404: "There is nothing here.",
    405: "That method is not allowed here.",
    500: "Something went wrong inside the reader.",
}


@dataclass
class ReaderState:
    """What every request handler needs: the archive, jobs, tokens and templates."""

    archive: Archive
    jobs: Jobs
    tokens: Tokens
    allow_private: bool
    env: jinja2.Environment = field(repr=False)
    cache: Cache = field(default_factory=Cache, repr=False)


def _date(value: object) -> str:
    """An ISO date/time as '1 Mar 2016' (unparseable values are shown as they are)."""
    if not value:
        return ""
    text = str(value)
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text[:10]
    return f"{dt.day} {dt:%b %Y}"


def make_env() -> jinja2.Environment:
    """The Jinja2 environment: package templates, autoescaping everywhere, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    return env


def state(request: Request) -> ReaderState:
    """The reader state of this app."""
    reader: ReaderState = request.app.state.reader
    return reader


def text_size(request: Request) -> str:
    """The reader's text size from its cookie (``m`` when unset or unknown)."""
    value = request.cookies.get(SIZE_COOKIE, "m")
    return value if value in SIZES else "m"


def url_with(path: str, **params: object) -> str:
    """``path`` with the non-empty query parameters."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", 1)})
    return f"{path}?{query}" if query else path


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the common context (token, text size, current path)."""
    st = state(request)
    html = st.env.get_template(name).render(
        csrf=st.tokens.token(),
        size=text_size(request),
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        url_with=url_with,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def int_param(request: Request, name: str, default: int = 1, top: int = 10_000) -> int:
    """A positive integer query parameter, clamped; bad values fall back to ``default``."""
    try:
        value = int(request.query_params.get(name, default))
    except ValueError:
        return default
    return min(max(value, 1), top)


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST, size-capped, after the CSRF token check (403)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPException(400, "expected a form")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPException(400, "form too large")
    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "malformed form") from None
    if not state(request).tokens.check(form.get("csrf")):
        raise HTTPException(403, "the form has expired or did not come from this reader; reload")
    return form


async def error_page(request: Request, exc: Exception) -> Response:
    """Every error (404, 403, 405, 400, 500) as a reader page."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) and exc.detail else ""
    if detail.lower() in ("not found", "method not allowed", "internal server error"):
        detail = ""
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    try:
        response: Response = render(
            request,
            "error.html",
            status=status,
            code=status,
            message=MESSAGES.get(status, "That did not work."),
            detail=detail,
        )
    except Exception:
        response = Response(f"{status} error\n", status_code=status, media_type="text/plain")
    response.headers.update(headers)
    return response


class Reader(Starlette):
    """Starlette with the security middleware outside its own error handling."""

    bind_host = "127.0.0.1"

    def build_middleware_stack(self) -> Any:
        """Wrap the whole stack (error pages included) in the security middleware."""
        return SecurityMiddleware(super().build_middleware_stack(), self.bind_host)


def routes() -> list[Route]:
    """The reader's routes."""
    from . import originals, pages

    return [
        Route("/", pages.home, name="home"),
        Route("/search", pages.search, name="search"),
        Route("/article/{article_id:int}", pages.article, name="article"),
        Route("/article/{article_id:int}/removed", pages.removed, name="removed"),
        Route("/article/{article_id:int}/original", originals.original, name="original"),
        Route("/replay/{record_id:int}", originals.replay_view, name="replay"),
        Route("/raw/{record_id:int}", originals.raw, name="raw"),
        Route("/add", pages.add_form, methods=["GET"], name="add_form"),
        Route("/add", pages.add_submit, methods=["POST"], name="add_submit"),
        Route("/jobs/{job_id:str}", pages.job, name="job"),
        Route("/settings", pages.settings, methods=["POST"], name="settings"),
        Route("/static/reader.css", pages.stylesheet, name="stylesheet"),
    ]


def create_app(
    archive: Archive,
    *,
    allow_private: bool = False,
    bind_host: str = "127.0.0.1",
    fetcher_options: dict[str, Any] | None = None,
    tokens: Tokens | None = None,
) -> Reader:
    """The reader over an open archive (the caller closes the archive)."""
    jobs = Jobs(archive, allow_private, fetcher_options)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        """Size the handler thread pool; stop the job worker when the server stops."""
        anyio.to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
        yield
        jobs.close()

    handlers: dict[Any, Any] = {code: error_page for code in (400, 403, 404, 405, 500)}
    handlers[HTTPException] = error_page
    handlers[Exception] = error_page
    app = Reader(routes=routes(), exception_handlers=handlers, lifespan=lifespan)
    app.bind_host = bind_host
    app.state.reader = ReaderState(
        archive=archive,
        jobs=jobs,
        tokens=tokens or Tokens(),
        allow_private=allow_private,
        env=make_env(),
    )
    return app
