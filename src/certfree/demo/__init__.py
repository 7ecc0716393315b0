"""The demo province: ``certfree demo init`` builds the 1+16+N nodes and a synthetic,
mutually consistent population that the departments' data services answer from."""

from certfree.demo.bulk import ProgressCallback
from certfree.demo.province import DemoExists, DemoSummary, build_demo_province, demo_nodes

__all__ = ["DemoExists", "DemoSummary", "ProgressCallback", "build_demo_province", "demo_nodes"]
