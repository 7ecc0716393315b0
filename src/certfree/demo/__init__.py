"""The demo province: ``certfree demo init`` builds the 1+16+N nodes and a synthetic,
mutually consistent population that the departments' data services answer from, with the
pilot scenarios' proof list, service items and sharing grants. The demo depends on the domains;
no domain imports it."""

from certfree.demo.pilot_grants import load_demo_grants
from certfree.demo.proof_list import load_demo_list
from certfree.demo.province import (
    MIN_CITIZENS,
    DemoExists,
    DemoSummary,
    ProgressCallback,
    build_demo_province,
    demo_nodes,
    register_demo_nodes,
)
from certfree.demo.service_items import demo_specs, load_demo_items
from certfree.demo.single_node import grant_demo_departments, list_province_itself

__all__ = [
    "MIN_CITIZENS",
    "DemoExists",
    "DemoSummary",
    "ProgressCallback",
    "build_demo_province",
    "demo_nodes",
    "demo_specs",
    "grant_demo_departments",
    "list_province_itself",
    "load_demo_grants",
    "load_demo_items",
    "load_demo_list",
    "register_demo_nodes",
]
