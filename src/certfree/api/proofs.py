"""HTTP routes of the proofs domain (issue 3)."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["proofs"])
