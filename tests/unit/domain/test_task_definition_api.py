"""The public surface is honest and the modules stay pure."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import dockyard.domain.task_definition as api

DOMAIN = Path(api.__file__).parent
MODULES = sorted(DOMAIN.glob("task_definition*.py"))
ALLOWED_FIRST_PARTY = ("dockyard.domain.errors", "dockyard.domain.task_definition")


def test_all_names_exist_once() -> None:
    for name in api.__all__:
        assert hasattr(api, name), name
    assert len(set(api.__all__)) == len(api.__all__)


def test_every_module_public_name_is_reexported() -> None:
    for path in MODULES:
        module = sys.modules.get(f"dockyard.domain.{path.stem}")
        for name in getattr(module, "__all__", ()):
            assert name in api.__all__ or path.stem in ("task_definition_codec",), (path.stem, name)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_module_imports_only_stdlib_and_errors(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            if root == "dockyard":
                assert name.startswith(ALLOWED_FIRST_PARTY), name
            else:
                assert root in sys.stdlib_module_names or root == "__future__", name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text()
    assert source.count("\n") <= 400
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            assert (node.end_lineno or 0) - node.lineno < 40, (path.stem, node.name)
