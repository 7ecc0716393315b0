"""The demo province: ``certfree demo init`` builds the 1+16+N nodes and a synthetic,
mutually consistent population that the departments' data services answer from."""

from certfree.demo.province import (
    MIN_CITIZENS,
    DemoExists,
    DemoSummary,
    ProgressCallback,
    build_demo_province,
    demo_nodes,
)

__all__ = [
    "MIN_CITIZENS",
    "DemoExists",
    "DemoSummary",
    "ProgressCallback",
    "build_demo_province",
    "demo_nodes",
]
