"""The API browser at ``/api/docs`` and the node's icon, served from the node itself.

Government networks are closed, so nothing comes from a CDN: Swagger UI's files are the ones
the ``fastapi-offline`` package ships, mounted under ``/static/swagger-ui``, and the page
starts it with a script file of ours (the Content-Security-Policy allows no inline script).
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from certfree.api.deps import NodeDep
from certfree.web.rendering import WEB, templates

router = APIRouter(tags=["web"])

SWAGGER_UI = resources.files("fastapi_offline") / "static"


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, node: NodeDep) -> HTMLResponse:
    """Swagger UI over this node's OpenAPI document."""
    return templates.TemplateResponse(
        request, "api_docs.html", {"node_name": node.settings.node_name}
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(str(WEB / "static" / "favicon.ico"), media_type="image/x-icon")


def install_docs(app: FastAPI) -> None:
    app.mount("/static/swagger-ui", StaticFiles(directory=str(SWAGGER_UI)), name="swagger-ui")
    app.include_router(router)
