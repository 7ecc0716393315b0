"""Web pages (server-rendered, Chinese by default, English on request)."""

from certfree.web.pages import install_web

__all__ = ["install_web"]
