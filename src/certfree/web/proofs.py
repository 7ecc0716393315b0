"""The published proof-item list as a readable page (issue 3)."""

from fastapi import APIRouter

router = APIRouter(tags=["web"])
