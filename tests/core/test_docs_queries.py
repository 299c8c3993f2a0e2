"""Every example in docs/queries.md runs, as written, from a folder holding `warehouse/`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.resolution import resolve_all
from tests.conftest import ROOT, SAMPLE
from tests.support.runs import publish_only

DOC = ROOT / "docs" / "queries.md"
BLOCK = re.compile(r"```(python|sh)\n(.*?)```", re.S)
EXAMPLES = [(kind, code) for kind, code in BLOCK.findall(DOC.read_text())]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with warehouse/ built from the sample (plain pipeline steps, no Prefect)."""
    folder = tmp_path_factory.mktemp("docs")
    wh = Warehouse.at(folder / "warehouse")
    publish_only(wh, sorted(SAMPLE.glob("*.txt")))
    resolve_all(wh)  # the derived tables (speaker resolution, search index), as every run does
    refresh_views(wh)
    return folder


def test_the_doc_has_examples_of_each_kind() -> None:
    kinds = [k for k, _ in EXAMPLES]
    assert kinds.count("python") >= 3 and kinds.count("sh") >= 2


@pytest.mark.parametrize(
    ("kind", "code"), EXAMPLES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(EXAMPLES)]
)
def test_example_runs(kind: str, code: str, workdir: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = os.environ | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    if kind == "python":
        cmd = [sys.executable, "-c", code]
    else:
        cmd = ["sh", "-euc", code]
    out = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip(), "every example prints something"
