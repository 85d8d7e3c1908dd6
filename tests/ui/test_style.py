"""Colours live in one style module, declared by meaning: no widget names a colour itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import medspa_desktop.ui as ui
from medspa_desktop.ui import style

UI = Path(ui.__file__).parent
HEX = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?(?:[0-9a-fA-F]{2})?\b")
NAMED = re.compile(r"\b(?:white|black|red|green|blue|grey|gray|yellow|orange)\b\s*[;'\")]")


def test_no_colour_is_written_outside_the_style_module():
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path == UI / "style.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            where = f"{path.relative_to(UI)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    HEX.search(node.value) or NAMED.search(node.value)):
                found.append(f"{where} {node.value!r}")
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "QColor"
                  and node.args and all(isinstance(a, ast.Constant) for a in node.args)):
                found.append(f"{where} QColor({', '.join(repr(a.value) for a in node.args)})")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                    and node.value.attr == "GlobalColor" and node.attr != "transparent":
                found.append(f"{where} Qt.GlobalColor.{node.attr}")
    assert found == [], "declare the colour in ui/style.py by what it means"


def test_the_style_module_needs_no_qt():
    imported = {n.names[0].name if isinstance(n, ast.Import) else n.module
                for n in ast.walk(ast.parse(Path(style.__file__).read_text(encoding="utf-8")))
                if isinstance(n, ast.Import | ast.ImportFrom)}
    assert not any(name and name.startswith("PySide6") for name in imported)
