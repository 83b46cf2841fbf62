"""``__all__`` of every ``dockyard.lb`` module is honest: it lists exactly the public classes and
functions defined there, and the package re-exports what the control plane calls."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import dockyard.lb

MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(dockyard.lb.__path__, "dockyard.lb."))


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_exactly_the_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    defined = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == name
    }
    assert defined - exported == set(), "public but not in __all__"
    assert [attr for attr in exported if not hasattr(module, attr)] == []


def test_package_exports_resolve() -> None:
    assert [name for name in dockyard.lb.__all__ if not hasattr(dockyard.lb, name)] == []
    assert dockyard.lb.__all__ == sorted(dockyard.lb.__all__)
