"""HTTP routes for certificate use: the holder's verification log and short codes."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["certificate use"])
