"""Every ``__all__`` tells the truth.

A module's ``__all__`` lists only names the module defines, and a package's ``__init__`` lists
every name that code outside the package (other packages, the tests) imports from it: a package
is used through its ``__init__``, whose ``__all__`` is its public surface. Names are read from
the source as written: ``from certfree.certs import issue`` and ``certs.issue`` after
``from certfree import certs`` both use ``issue`` of ``certfree.certs``.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import certfree

SRC = Path(certfree.__file__).parent.parent  # the directory holding the certfree package
TESTS = Path(__file__).parents[1]
ROOT = TESTS.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


SOURCES = sorted((SRC / "certfree").rglob("*.py"))
MODULES = {_module_name(path) for path in SOURCES}
PACKAGES = {_module_name(path) for path in SOURCES if path.name == "__init__.py"}


def _declares_all(tree: ast.Module) -> bool:
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign | ast.AugAssign)
            else []
        )
        if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            return True
    return False


def _inside(importer: str, package: str) -> bool:
    return importer == package or importer.startswith(package + ".")


def _uses(path: Path, importer: str) -> Iterator[tuple[str, str, int]]:
    """(package, name, line) for each name ``path`` takes from a certfree package's ``__init__``,
    leaving out submodules and the package's own modules."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    bound: dict[str, str] = {}  # local name -> the certfree package it stands for
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or node.module not in PACKAGES:
            continue
        package = node.module
        if _inside(importer, package):
            continue
        for alias in node.names:
            submodule = f"{package}.{alias.name}"
            if submodule in PACKAGES:
                bound[alias.asname or alias.name] = submodule
            elif submodule not in MODULES:
                yield package, alias.name, node.lineno
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and not (node.attr.startswith("__") and node.attr.endswith("__"))
        ):
            package = bound[node.value.id]
            if not _inside(importer, package) and f"{package}.{node.attr}" not in MODULES:
                yield package, node.attr, node.lineno


def test_every_name_in_an_all_is_defined() -> None:
    faults: list[str] = []
    for path in SOURCES:
        if not _declares_all(ast.parse(path.read_text("utf-8"), str(path))):
            continue
        module = importlib.import_module(_module_name(path))
        listed = list(module.__all__)
        faults += [
            f"{module.__name__}.__all__ lists {name!r}, which it does not define"
            for name in listed
            if not hasattr(module, name)
        ]
        faults += [
            f"{module.__name__}.__all__ lists {name!r} twice"
            for name in sorted(set(listed))
            if listed.count(name) > 1
        ]
    assert not faults, "\n".join(faults)


def test_a_package_lists_every_name_used_from_outside_it() -> None:
    faults: list[str] = []
    for path in [*SOURCES, *sorted(TESTS.rglob("*.py"))]:
        importer = _module_name(path) if path.is_relative_to(SRC) else "tests"
        for package, name, line in _uses(path, importer):
            public = getattr(importlib.import_module(package), "__all__", None)
            if public is None or name not in public:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                lacks = "which has no __all__" if public is None else "missing from its __all__"
                faults.append(f"{where}:{line} uses {package}.{name}, {lacks}")
    assert not faults, "\n".join(faults)
