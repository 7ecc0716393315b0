"""HTTP routes: audit (thin: parse, call the domain, format)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["audit"])
