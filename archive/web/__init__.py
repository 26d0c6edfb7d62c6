"""The offline reader (``cleaner serve``): a server-rendered web app over the archive."""

from .app import create_app

__all__ = ["create_app"]
