"""The face diagrams in resources/ name the site under a click, on every view."""

from __future__ import annotations

from decimal import Decimal

import pytest

from medspa_desktop.services.treatments import face_chart


@pytest.mark.parametrize(("view", "x", "y", "site"), [
    ("front", 150, 130, "Glabella"),
    ("front", 150, 85, "Frontalis"),
    ("front", 76, 152, "Lateral canthus R"),  # the patient's right is the viewer's left
    ("front", 224, 152, "Lateral canthus L"),
    ("front", 150, 244, "Upper lip"),
    ("front", 150, 300, "Chin (mentalis)"),
    ("front", 75, 250, "Masseter R"),
    ("front", 150, 200, ""),  # the nose tip is not a marked area
    ("left", 170, 120, "Temple L"),
    ("left", 180, 250, "Masseter L"),
    ("right", 300 - 180, 250, "Masseter R"),  # the left side, mirrored
    ("right", 300 - 105, 300, "Chin (mentalis)"),
])
def test_the_site_is_named_from_the_area_clicked(view, x, y, site):
    assert face_chart.site_at(view, x, y) == site


def test_every_view_has_an_outline_and_every_area_a_name():
    for view in face_chart.VIEWS:
        d = face_chart.diagram(view)
        assert len(d.shapes) >= 10
        assert all(r.site and len(r.polygon) >= 3 for r in d.regions)
        assert len({r.site for r in d.regions}) == len(d.regions)
    front = {r.site for r in face_chart.diagram("front").regions}
    for site in ("Frontalis", "Glabella", "Bunny lines R", "DAO L", "Platysma R",
                 "Nasolabial fold L", "Temple R", "Jawline L", "Tear trough R"):
        assert site in front


def test_the_path_reader_understands_curves_and_refuses_what_it_cannot_draw():
    segments = face_chart.parse_path("M 0 0 Q 30 30 60 0 L 60 10 Z")
    assert segments[0] == ("M", 0.0, 0.0)
    assert segments[1] == ("C", 20.0, 20.0, 40.0, 20.0, 60.0, 0.0)
    assert segments[-1] == ("Z",)
    with pytest.raises(ValueError, match="'a' is not supported"):
        face_chart.parse_path("M 0 0 a 5 5 0 0 1 10 10")


def test_totals_by_site_and_dose_text():
    points = [face_chart.Point("front", 150, 130, "Glabella", Decimal("4")),
              face_chart.Point("front", 76, 152, "Lateral canthus R", Decimal("2.5")),
              face_chart.Point("front", 140, 130, "Glabella", Decimal("4"))]
    assert face_chart.totals_by_site(points) == [("Glabella", Decimal("8")),
                                                 ("Lateral canthus R", Decimal("2.5"))]
    assert face_chart.total(points) == Decimal("10.5")
    assert face_chart.amount_text(Decimal("20.0"), "U") == "20 U"
    assert face_chart.amount_text(0.3, "mL") == "0.3 mL"
