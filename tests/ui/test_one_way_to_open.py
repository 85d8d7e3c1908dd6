"""Every dialog is opened one way, through ``widgets/modal.run_modal`` (which lets it go once
closed): a bare ``exec()`` or ``open()`` of a dialog anywhere else in the UI is a mistake."""

from __future__ import annotations

import ast
from pathlib import Path

import medspa_desktop.ui as ui

UI = Path(ui.__file__).parent
ALLOWED = {UI / "widgets" / "modal.py"}


def test_no_dialog_is_opened_but_through_run_modal():
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("exec", "exec_", "open") and not node.args
                    and not node.keywords):
                found.append(f"{path.relative_to(UI)}:{node.lineno}")
    assert found == [], "open these dialogs with run_modal(...)"
