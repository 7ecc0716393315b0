"""HTTP routes of the procedures domain (issue 3)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["procedures"])
