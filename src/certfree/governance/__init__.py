"""Governance of shared data: consent of data subjects and the tamper-evident audit log."""
