"""Web pages (server-rendered, Chinese by default, English on request)."""

from fastapi import FastAPI

from certfree.web import catalog, dept, desk, desk_ask, docs, me, pages, problems, sign_in
from certfree.web.apply import router as apply_router
from certfree.web.bureau import router as bureau_router
from certfree.web.bureau_catalog import router as bureau_catalog_router
from certfree.web.verify import router as verify_router
from certfree.web.wallet import router as wallet_router

__all__ = ["install_web"]


def install_web(app: FastAPI) -> None:
    """Mount the static files and every page's routes."""
    docs.install_docs(app)  # before /static, which would shadow /static/swagger-ui
    pages.install_web(app)
    app.include_router(catalog.router)
    app.include_router(bureau_catalog_router)
    app.include_router(bureau_router)
    app.include_router(me.router)
    app.include_router(apply_router)
    app.include_router(desk.router)
    app.include_router(desk_ask.router)
    app.include_router(verify_router)
    app.include_router(dept.router)
    app.include_router(sign_in.router)
    app.include_router(problems.router)
    app.include_router(wallet_router)
