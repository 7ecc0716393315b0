"""certfree: certificate-free government services (无证明办事)."""

__version__ = "0.1.0"
