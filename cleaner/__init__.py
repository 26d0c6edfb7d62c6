"""Clean news pages: strip ads and clutter, keep the article, make it safe to read offline.

The public API is small: ``clean()``, ``CleanResult``, ``RuleSet`` and the errors.
This package is pure: bytes and a URL in, a result out; no network, no disk writes.
"""

from .actions import Removal
from .engine import CleanResult, clean
from .errors import CleanerError, ParseError, Problem, RuleError, UrlError
from .ruleset import RuleSet

__all__ = [
    "CleanResult",
    "CleanerError",
    "ParseError",
    "Problem",
    "Removal",
    "RuleError",
    "RuleSet",
    "UrlError",
    "clean",
]
__version__ = "0.1.0"
