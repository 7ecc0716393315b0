"""The node registry of the 1+16+N cascade: one province, 16 cities, N department nodes."""

from certfree.nodes.departments import DepartmentKind, department_name
from certfree.nodes.models import Node, NodeStatus
from certfree.nodes.registry import add_node, department_of, get_node, list_nodes, node_code

__all__ = [
    "DepartmentKind",
    "Node",
    "NodeStatus",
    "add_node",
    "department_name",
    "department_of",
    "get_node",
    "list_nodes",
    "node_code",
]
