"""Photos in the chart: import two, see them upright, compare them."""

from __future__ import annotations

import struct

import pytest
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage

from medspa_desktop.store.models import Patient, Photo
from medspa_desktop.ui.patients.chart import ChartDialog
from medspa_desktop.ui.widgets.images import load_image
from tests.conftest import staff
from tests.ui.modal import answer_next_modal


def jpeg(width: int, height: int, colour: str, orientation: int | None = None) -> bytes:
    """A JPEG as a camera writes it; ``orientation`` adds the EXIF rotation tag."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPG")
    data = bytes(buffer.data())
    if orientation is None:
        return data
    tiff = (b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1)
            + struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0))
    payload = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app1 + data[2:]


def test_exif_orientation_is_honoured(qapp):
    upright = load_image(jpeg(300, 200, "red", orientation=6))  # camera held sideways
    assert (upright.width(), upright.height()) == (200, 300)
    assert load_image(jpeg(300, 200, "red")).width() == 300


@pytest.fixture
def chart(qtbot, demo_db):
    zoe = Patient.select().where(Patient.first_name == "Zoë").first()
    dialog = ChartDialog(staff("director"), zoe.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_tab("photos")
    return dialog


def _fill_details(tag: str, consent: str = "Consent signed on paper today"):
    def fill(dialog):
        dialog.tag.setCurrentIndex(dialog.tag.findData(tag))
        dialog.area.setText("Glabella")
        dialog.taken_on.setDate(dialog.taken_on.date().addDays(-1 if tag == "after" else -30))
        dialog.consent.setText(consent)
        dialog.ok_button.click()
    return fill


def test_importing_two_photos_and_comparing_them(chart, qtbot, tmp_path):
    before, after = tmp_path / "before.jpg", tmp_path / "after.jpg"
    before.write_bytes(jpeg(400, 300, "#c08070", orientation=6))
    after.write_bytes(jpeg(400, 300, "#d8a090"))
    panel = chart.photos

    answer_next_modal(_fill_details("before", consent=""))
    assert panel.import_files([before]) == 0
    assert "no photography consent on file" in panel.message.text()
    answer_next_modal(_fill_details("before"))
    assert panel.import_files([before]) == 1
    answer_next_modal(_fill_details("after"))
    assert panel.import_files([after]) == 1
    assert panel.grid.count() == 2
    assert Photo.select().count() == 2
    sizes = sorted((img.width(), img.height()) for img in panel.images.values())
    assert sizes == [(300, 400), (400, 300)]  # the EXIF-rotated one stands upright

    panel.grid.selectAll()
    assert panel.compare_button.isEnabled()
    seen = {}

    def look(dialog):
        seen["title"] = dialog.windowTitle()
        dialog.mode.setCurrentIndex(1)
        dialog.slider.setValue(30)
        seen["slider"] = dialog.slider_view.position
        seen["shot"] = dialog.grab()
        dialog.reject()

    answer_next_modal(look)
    panel.compare_button.click()
    assert seen["title"] == "Compare photos" and seen["slider"] == pytest.approx(0.3)
    assert not seen["shot"].isNull()
    kinds = {item.kind for item in chart.timeline_model.rows()}
    assert "photo" in kinds
    assert not chart.portrait.pixmap().isNull()  # the newest photo, in the header


def test_front_desk_has_no_photos_tab(qtbot, demo_db):
    zoe = Patient.select().where(Patient.first_name == "Zoë").first()
    dialog = ChartDialog(staff("frontdesk"), zoe.id)
    qtbot.addWidget(dialog)
    assert dialog.photos is None
    assert dialog.portrait.text() == f"{zoe.first_name[0]}{zoe.last_name[0]}".upper()
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "&Timeline", "&Medical history", "&Notes", "&Consents", "&Account"]


def test_with_a_photography_consent_on_file_the_import_asks_nothing_about_it(
        chart, qtbot, tmp_path):
    from tests.conftest import give_consent

    give_consent(staff("injector"), chart.patient_id, "photography")
    photo = tmp_path / "before.jpg"
    photo.write_bytes(jpeg(200, 150, "#c08070"))
    seen = []

    def fill(dialog):
        seen.append(dialog.consent.isHidden())
        dialog.area.setText("Left cheek")
        dialog.ok_button.click()

    answer_next_modal(fill)
    assert chart.photos.import_files([photo]) == 1
    assert seen == [True]
    assert Photo.select().order_by(Photo.id.desc()).first().consent_note.startswith(
        "photography consent ")
