"""The layer rules, from the registry (so a new source is covered with no edit here): core code
never imports a source or the application; sources never import each other, in flows/ or in
transforms/; shared transforms never import a source's. import-linter checks the same for the
flows packages (`make test`, contracts in pyproject.toml); this test adds what needs the
registered names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.sources import CATALOG
from tests.conftest import ROOT

APP = ("flows.cli", "flows.app", "flows.config", "flows.deployments", "flows.status")
SOURCES = CATALOG.names


def modules_under(path: Path) -> Iterator[Path]:
    yield from ([path] if path.suffix == ".py" else sorted(path.rglob("*.py")))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def hits(names: set[str], prefix: str) -> list[str]:
    return sorted(n for n in names if n == prefix or n.startswith(prefix + "."))


def source_packages(name: str) -> tuple[str, str]:
    return f"flows.sources.{name}", f"transforms.{name}"


CORE = [ROOT / "flows" / "core", ROOT / "flows" / "derived", ROOT / "flows" / "run.py"]
SHARED_TRANSFORMS = [
    ROOT / "transforms" / "common",
    ROOT / "transforms" / "present",
    ROOT / "transforms" / "schema.py",
    ROOT / "transforms" / "resolve.py",
]


@pytest.mark.parametrize("path", CORE + SHARED_TRANSFORMS, ids=lambda p: p.name)
def test_core_never_imports_a_source_or_the_application(path: Path) -> None:
    for module in modules_under(path):
        names = imports(module)
        bad = [h for s in SOURCES for pkg in source_packages(s) for h in hits(names, pkg)]
        bad += hits(names, "flows.sources") + [h for a in APP for h in hits(names, a)]
        assert not bad, f"{module.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("name", SOURCES)
def test_sources_never_import_each_other(name: str) -> None:
    own = [ROOT / "flows" / "sources" / name, ROOT / "transforms" / name]
    assert all(p.is_dir() for p in own), f"source {name}: expected the folders {own}"
    others = [pkg for s in SOURCES if s != name for pkg in source_packages(s)]
    for module in (m for p in own for m in modules_under(p)):
        names = imports(module)
        bad = [h for pkg in others for h in hits(names, pkg)]
        bad += [n for n in names if n in ("flows.sources", "flows.sources.CATALOG")]  # registry
        bad += [h for a in APP for h in hits(names, a)]
        assert not bad, f"{module.relative_to(ROOT)} imports {bad}"


def test_every_source_folder_is_registered() -> None:
    folders = {
        p.name for p in (ROOT / "flows" / "sources").iterdir() if (p / "__init__.py").exists()
    }
    assert folders == set(SOURCES)
