"""The permission matrix, and the README's copy of it."""

from __future__ import annotations

from pathlib import Path

from medspa_desktop.services.platform.permissions import matrix_rows

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_table_matches_the_matrix_in_the_code():
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| may …"))
    documented = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        documented.append((cells[0], [c == "✓" for c in cells[1:]]))
    assert documented == matrix_rows()
