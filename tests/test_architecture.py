"""The shape of the package: layers, no import circles, modules and functions of a readable size.

The same layer contracts run in ``make lint`` (import-linter, configured in pyproject.toml); here
they run with the test suite, so a wrong-way import fails the build wherever the tests run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kit"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
# compiled loops stay one function: numba compiles one function at a time, and a call between
# two kernels costs more than the loop body
COMPILED = {"njit", "jit", "vectorize", "guvectorize"}
# over the limits, to be split along a seam (the ONNX export out of the encoder, the calibration
# out of the router); meanwhile they may not grow past what they are
OVERSIZE_MODULES = {"kit/classify/encoder.py": 627, "kit/classify/router.py": 546}
OVERSIZE_FUNCTIONS = {"_fine_tune": 101, "train_router": 93}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def long_functions(path: Path, root: Path = ROOT, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``file:line name (N lines)`` for each function of ``path`` longer than ``limit`` lines
    (compiled kernels aside)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > limit and not _decorator_names(node) & COMPILED:
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_the_size_rules_see_a_long_function(tmp_path: Path) -> None:
    source = tmp_path / "kit" / "long.py"
    source.parent.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(85))
    source.write_text(
        f"def long():\n{body}\n\n@njit\ndef kernel():\n{body}\n\ndef short():\n    pass\n"
    )
    assert long_functions(source, tmp_path) == ["kit/long.py:1 long (86 lines)"]


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines()))
        > OVERSIZE_MODULES.get(str(p.relative_to(ROOT)), MAX_MODULE_LINES)
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them along a seam): {long}"


def test_no_function_is_too_long() -> None:
    long = [
        f
        for p in _modules()
        for f in long_functions(p)
        if int(f.rsplit("(", 1)[1].split()[0]) > OVERSIZE_FUNCTIONS.get(f.split()[1], 0)
    ]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_no_import_circle_among_modules() -> None:
    grimp = pytest.importorskip("grimp")
    import networkx as nx

    graph = grimp.build_graph("kit", cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    # every import counts, a late one inside a function too: it is a circle all the same
    cycles = [" -> ".join([*c, c[0]]) for c in nx.simple_cycles(edges)]
    assert not cycles, "import circles:\n" + "\n".join(sorted(cycles))


def test_layer_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed (pip install -e .[test])")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout
    assert "Contracts: 2 kept, 0 broken." in result.stdout
