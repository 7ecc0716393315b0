"""Web pages (server-rendered, Chinese by default, English on request)."""

from fastapi import FastAPI

from certfree.web import (
    apply,
    bureau,
    bureau_catalog,
    catalog,
    dept,
    desk,
    desk_ask,
    docs,
    error_pages,
    me,
    my_data,
    pages,
    problems,
    sign_in,
    verify,
    wallet,
)

__all__ = ["install_web"]

# Each role's pages, in the order of the frame's navigation; then the shared ones.
_PAGES = (apply, wallet, me, desk, desk_ask, verify, dept, bureau, bureau_catalog, catalog)


def install_web(app: FastAPI) -> None:
    """Mount the static files and every page's routes."""
    # The readable form of a citizen's data export (GET /api/v1/me/data?format=html).
    app.state.readable_export = my_data.render_export
    docs.install_docs(app)  # before /static, which would shadow /static/swagger-ui
    pages.install_web(app)
    for page in _PAGES:
        app.include_router(page.router)
    app.include_router(sign_in.router)
    app.include_router(problems.router)
    error_pages.install_error_pages(app)
