"""The cleaner's exceptions.

Every error the library raises on bad *input* is a ``CleanerError``::

    CleanerError
    ├── ParseError      the bytes are not an HTML page we can parse without losing text
    ├── UrlError        the page's URL cannot be parsed ("http://[bad", a port of 99999)
    └── RuleError       one or more problems in rule files (``.problems`` lists them all)

Anything else escaping ``cleaner`` is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class CleanerError(Exception):
    """Base class for every error the cleaner reports about its input."""


class ParseError(CleanerError):
    """The page cannot be parsed as HTML without losing content."""


class UrlError(CleanerError):
    """The URL given for a page cannot be parsed."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a rule file, located by 1-based line and column."""

    path: str
    line: int
    col: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        """Render as ``path:line:col: level: message``."""
        return f"{self.path}:{self.line}:{self.col}: {self.level}: {self.message}"


class RuleError(CleanerError):
    """Rule files failed validation; ``problems`` holds every problem found."""

    def __init__(self, problems: list[Problem]):
        """Keep all problems; the message lists them one per line."""
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
