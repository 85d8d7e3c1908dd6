"""Clinic setup → Rooms and → Devices: add, rename, order (rooms), type and clean-up buffer
(devices), take out of use and back. Taking one out of use while visits still to come are
booked in it is refused, and the refusal names them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...services.clinic import catalog
from ...services.platform import limits
from ...store.models import Device, Room, User
from ..bus import on_change
from ..models import Column, RowTableModel
from ..ops import op
from ..widgets.form_dialog import FormDialog
from ..widgets.messages import ErrorLabel
from ..widgets.modal import run_modal
from ..widgets.table import fit_columns, make_table


def _state(row) -> str:
    return "in use" if row.active else "out of use"


class RoomDialog(FormDialog):
    """A new room, or a room's new name."""

    def __init__(self, user: User, room: Room | None = None, parent=None) -> None:
        super().__init__("Rename room" if room else "Add a room", parent)
        self.user, self.room = user, room
        self.version = room.version if room is not None else 0
        self.name = self._line("&Name", limits.ROOM_NAME, "Treatment room 1")
        if room is not None:
            self.name.setText(room.name)

    def can_reload(self) -> bool:
        return self.room is not None

    def reload_stored(self) -> None:
        """Someone else saved the room first: show its name as stored now, and edit that."""
        self.room = catalog.get_room(self.room.id)
        self.version = self.room.version
        self.name.setText(self.room.name)

    def submit(self) -> None:
        if self.room is None:
            catalog.add_room(self.user, self.name.text())
        else:
            catalog.rename_room(self.user, self.room.id, self.name.text(), self.version)


class DeviceDialog(FormDialog):
    """A new device, or a device's name, type and clean-up buffer."""

    def __init__(self, user: User, device: Device | None = None, parent=None) -> None:
        super().__init__("Change device" if device else "Add a device", parent)
        self.user, self.device = user, device
        self.name = self._line("&Name", limits.DEVICE_NAME, "GentleLase Pro")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Type")
        for key, label in catalog.DEVICE_KINDS.items():
            self.kind.addItem(label, key)
        self.form.addRow("&Type", self.kind)
        self.cleanup = QSpinBox()
        self.cleanup.setAccessibleName("Clean-up buffer")
        self.cleanup.setRange(0, 240)
        self.cleanup.setSingleStep(5)
        self.cleanup.setSuffix(" minutes")
        self.cleanup.setToolTip("Time kept free after each use: cleaning, cooling down.")
        self.form.addRow("&Clean-up after each use", self.cleanup)
        self.version = device.version if device is not None else 0
        if device is not None:
            self._show(device)

    def _show(self, device: Device) -> None:
        self.name.setText(device.name)
        self.kind.setCurrentIndex(self.kind.findData(device.kind))
        self.cleanup.setValue(device.cleanup_minutes)

    def can_reload(self) -> bool:
        return self.device is not None

    def reload_stored(self) -> None:
        """Someone else saved the device first: show it as stored now, and edit that."""
        self.device = catalog.get_device(self.device.id)
        self.version = self.device.version
        self._show(self.device)

    def submit(self) -> None:
        name, kind, cleanup = self.name.text(), self.kind.currentData(), self.cleanup.value()
        if self.device is None:
            catalog.add_device(self.user, name, kind, cleanup)
        else:
            catalog.update_device(self.user, self.device.id, name, kind, cleanup,
                                  self.version)


class _ResourcePage(QWidget):
    """A list of rooms or devices with its buttons; refreshed when the catalog changes."""

    columns: tuple[Column, ...] = ()
    what = ""

    def __init__(self, user: User, parent=None) -> None:
        super().__init__(parent)
        self.user = user
        self.model = RowTableModel(self.columns, parent=self)
        self.table = make_table(self.model, self.what.capitalize())
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.message = ErrorLabel()
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton(self.edit_text)
        self.active_button = QPushButton("Take &out of use")
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button.clicked.connect(lambda: self.edit())
        self.active_button.clicked.connect(lambda: self.toggle_active())
        self.bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button):
            self.bar.addWidget(button)
        self._more_buttons()
        self.bar.addWidget(self.active_button)
        self.bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        self.refresh()
        on_change(self, ("catalog",))

    edit_text = "&Change…"

    def _more_buttons(self) -> None:
        pass

    def rows(self) -> list:
        raise NotImplementedError

    def refresh(self) -> None:
        chosen = self.selected()
        rows = self.rows()
        self.model.set_rows(rows)
        fit_columns(self.table)
        self.select(chosen.id if chosen else None)

    def select(self, row_id: int | None) -> None:
        rows = self.model.rows()
        index = next((i for i, r in enumerate(rows) if r.id == row_id), 0 if rows else None)
        if index is not None:
            self.table.selectRow(index)
        self._buttons()

    def selected(self):
        chosen = self.table.selectionModel().selectedRows() if self.table.selectionModel() \
            else []
        return self.model.row_at(chosen[0].row()) if chosen else None

    def _buttons(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None)
        self.active_button.setText("Take &out of use" if row is None or row.active
                                   else "Bring back into &use")

    def add(self) -> None:
        if run_modal(self.dialog(None)):
            self.message.hide()
            rows = self.model.rows()
            if rows:
                self.select(max(r.id for r in rows))

    def edit(self) -> None:
        row = self.selected()
        if row is not None and run_modal(self.dialog(row)):
            self.message.hide()

    def dialog(self, row) -> FormDialog:
        raise NotImplementedError

    def toggle_active(self) -> None:
        row = self.selected()
        if row is not None and self._do(lambda: self.set_active(row, not row.active)):
            self.select(row.id)

    def _do(self, call) -> bool:
        if not op(self, call, error_label=self.message):
            return False
        self.message.hide()
        return True


class RoomsPage(_ResourcePage):
    what = "rooms"
    edit_text = "&Rename…"
    columns = (Column("Room", lambda r: r.name), Column("State", _state))

    def _more_buttons(self) -> None:
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move &down")
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.bar.addWidget(self.up_button)
        self.bar.addWidget(self.down_button)

    def _buttons(self) -> None:
        super()._buttons()
        row = self.selected()
        rows = self.model.rows()
        self.up_button.setEnabled(row is not None and rows.index(row) > 0)
        self.down_button.setEnabled(row is not None and rows.index(row) < len(rows) - 1)

    def rows(self) -> list:
        return catalog.all_rooms()

    def dialog(self, row) -> FormDialog:
        return RoomDialog(self.user, row, self)

    def set_active(self, row, active: bool) -> None:
        catalog.set_room_active(self.user, row.id, active, version=row.version)

    def move(self, step: int) -> None:
        row = self.selected()
        if row is not None and self._do(lambda: catalog.move_room(self.user, row.id, step)):
            self.select(row.id)


class DevicesPage(_ResourcePage):
    what = "devices"
    columns = (Column("Device", lambda r: r.name),
               Column("Type", lambda r: catalog.DEVICE_KINDS.get(r.kind, r.kind)),
               Column("Clean-up", lambda r: r.cleanup_minutes,
                      lambda r: f"{r.cleanup_minutes} min" if r.cleanup_minutes else "none",
                      align_right=True),
               Column("State", _state))

    def rows(self) -> list:
        return catalog.all_devices()

    def dialog(self, row) -> FormDialog:
        return DeviceDialog(self.user, row, self)

    def set_active(self, row, active: bool) -> None:
        catalog.set_device_active(self.user, row.id, active, version=row.version)
