"""Chart a treatment: the form of the visit's modality, built from the field definitions in
services/treatments/treatment_records.py (so the form and the rules cannot drift apart)."""

from __future__ import annotations

import html
from decimal import Decimal, InvalidOperation
from functools import partial

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.charts import alerts, intake
from ...services.clinic import catalog
from ...services.platform.errors import StaleEditError
from ...services.scheduling import appointments
from ...services.treatments import inventory, treatment_records
from ...store.models import TreatmentRecord, User
from .. import style
from ..help import whats_this
from ..ops import op
from ..widgets.face_chart import FaceChartWidget
from ..widgets.form_dialog import FormDialog

SOONEST = "Soonest-expiring lots first"
LOT_HELP = ("Each lot is used up before the next is opened: a lot with too little left gives "
            "what it has and the rest comes from the next soonest-expiring lot. Every lot "
            "drawn is kept on the record.")


class TreatmentRecordDialog(FormDialog):
    def __init__(self, user: User, appointment_id: int, parent=None) -> None:
        row = appointments.get_appointment(user, appointment_id)
        super().__init__(f"Chart treatment — {row.patient}", parent, min_width=560)
        self.user = user
        self.record: TreatmentRecord | None = None
        self.row = row
        self.modality = self.row.category_key
        self.chart: FaceChartWidget | None = None
        warnings = alerts.booking_alerts(user, self.row.patient_id, self.row.service_id,
                                         self.row.start.date())  # as of the visit's day
        self.head = head = QLabel(f"<b>{html.escape(self.row.patient)}</b> — {html.escape(self.row.service)}"
                      f", {self.row.start:%a %d %b %Y %H:%M} with "
                      f"{html.escape(self.row.provider)}"
                      + "".join(f"<br><span style='color:{style.ALERT_TEXT}'>⚠ {html.escape(w)}</span>"
                                for w in warnings))
        head.setWordWrap(True)
        self.fields: dict[str, QWidget] = {}
        form = self.form
        self.lot = None
        for field in treatment_records.MODALITIES.get(self.modality, ()):
            widget = self._widget(field)
            self.fields[field.key] = widget
            if field.kind == "points":
                continue  # beside the form
            label = field.label + (f" ({field.unit})" if field.unit else "")
            form.addRow(label + ("" if field.required else " — optional"), widget)
            if field.kind == "product":
                self.lot = QComboBox()
                self.lot.setAccessibleName("Lot")
                self.lot.setToolTip(LOT_HELP)
                form.addRow("Lot", self.lot)
                widget.currentIndexChanged.connect(lambda _i: self._fill_lots())
                self._fill_lots()
        self._defaults()
        if self.chart is not None:
            self._link_chart(form)
        self.aftercare = QPlainTextEdit()
        self.aftercare.setTabChangesFocus(True)
        self.aftercare.setFixedHeight(54)
        form.addRow("Aftercare given", self.aftercare)
        self.same_button = QPushButton("Same as last time")
        self.same_button.clicked.connect(self.same_as_last_time)
        layout = self.body
        layout.insertWidget(0, head)
        same = QHBoxLayout()
        same.addWidget(self.same_button)
        same.addStretch(1)
        layout.insertLayout(1, same)
        if self.chart is not None:
            layout.removeItem(form)  # beside the face chart instead
            form.setParent(None)
            left = QVBoxLayout()
            left.addLayout(form)
            left.addStretch(1)
            columns = QHBoxLayout()
            columns.addLayout(left, 2)
            columns.addWidget(self.chart, 5)
            layout.addLayout(columns, 1)
            self.resize(1080, 640)
        whats_this.explain_treatment_record(self)
        # charted elsewhere, this form can no longer save (a correction is an amendment); the
        # user's own record can still be put back into it, to compare and to amend from
        self.stale.put_back_button.setText("Put my record back")
        self.stale.put_back_button.setToolTip("Show your own record in the form again, to "
                                              "compare with the one charted")
        self.stale.put_back_button.clicked.connect(self._put_points_back)
        self._typed_points: list[dict] | None = None

    def _widget(self, field) -> QWidget:
        if field.kind == "points":
            toxin = field.unit == "U"
            self.chart = FaceChartWidget(field.unit, field.step,
                                         Decimal(4) if toxin else Decimal("0.1"), field.high)
            return self.chart
        if field.kind == "product":
            combo = QComboBox()
            for product in inventory.products(self.user, field.choices):
                combo.addItem(product.name, product.id)
            # the product the service draws by default (clinic setup), else the product of
            # its name (the Botox Cosmetic service -> the Botox Cosmetic product)
            default = catalog.get_service(self.row.service_id).default_product_id
            index = combo.findData(default) if default is not None else -1
            if index < 0:
                index = combo.findText(self.row.service)
            combo.setCurrentIndex(max(0, index))
            combo.setAccessibleName(field.label)
            return combo
        if field.kind == "choice":
            combo = QComboBox()
            combo.addItem("", None)
            for choice in field.choices:
                combo.addItem(choice, choice)
            combo.setAccessibleName(field.label)
            return combo
        edit = QLineEdit()
        if field.kind == "number" and field.low is not None:
            edit.setPlaceholderText(f"{field.low:g}–{field.high:g}")
        edit.setAccessibleName(field.label)
        return edit

    def _defaults(self) -> None:
        """What the visit already says: its device, and the skin type on file."""
        if "device" in self.fields and self.row.device:
            self.fields["device"].setText(self.row.device)
        skin = intake.current_answers(self.user, self.row.patient_id).get("fitzpatrick")
        if "fitzpatrick" in self.fields and skin is not None and skin.value:
            self.fields["fitzpatrick"].setText(str(skin.value))

    def _link_chart(self, form: QFormLayout) -> None:
        """The total is the face chart's sum; for a toxin, the volume to draw up follows from
        the dilution."""
        self.total_key = treatment_records.CHARTED[self.modality]
        total = self.fields[self.total_key]
        total.setReadOnly(True)
        total.setStyleSheet(style.READ_ONLY_FIELD)
        total.setToolTip("The sum of the face chart's points")
        self.volume = QLabel()
        if self.modality == "neurotoxin":
            form.addRow("Volume to draw up", self.volume)
            self.fields["dilution_ml"].textChanged.connect(lambda _t: self._chart_changed())
        product = self.fields["product_id"]
        product.currentIndexChanged.connect(
            lambda _i: self.chart.set_product(product.currentText()))
        self.chart.set_product(product.currentText())
        self.chart.changed.connect(self._chart_changed)
        self._chart_changed()

    def _chart_changed(self) -> None:
        total = self.chart.total()
        self.fields[self.total_key].setText(f"{total.normalize():f}" if total else "")
        try:
            dilution = Decimal(self.fields["dilution_ml"].text().strip().replace(",", "."))
        except (KeyError, InvalidOperation):
            dilution = None
        if total and dilution:
            self.volume.setText(f"{(total * dilution / 100).quantize(Decimal('0.01'))} mL "
                                f"at {dilution.normalize():f} mL per 100 U")
        else:
            self.volume.setText("—")

    def _fill_lots(self) -> None:
        product = self.fields["product_id"].currentData()
        self.lot.clear()
        self.lot.addItem(SOONEST, None)
        if product is not None:
            for lot in inventory.usable_lots(self.user, product):
                self.lot.addItem(f"{lot.lot_number} — expires {lot.expiry}, {lot.remaining} left",
                                 lot.id)

    def values(self) -> dict:
        found = {}
        for key, widget in self.fields.items():
            if isinstance(widget, FaceChartWidget):
                found[key] = widget.points()
            elif isinstance(widget, QComboBox):
                found[key] = widget.currentData()
            else:
                found[key] = widget.text()
        if self.lot is not None and self.lot.currentData() is not None:
            found["lot_id"] = self.lot.currentData()
        return found

    def same_as_last_time(self) -> None:
        previous = treatment_records.same_as_last_time(self.user, self.row.patient_id,
                                                       self.modality)
        if previous is None:
            self.message.say("There is no earlier record of this kind for this patient.")
            return
        self._fill(previous)
        self.message.hide()

    def _fill(self, values: dict) -> None:
        for key, value in values.items():
            widget = self.fields.get(key)
            if isinstance(widget, FaceChartWidget):
                widget.set_points(value)
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif widget is not None:
                widget.setText(f"{value:g}" if isinstance(value, float) else str(value))

    def can_reload(self) -> bool:
        return True

    def reload_stored(self) -> None:
        """Someone charted this visit first: show their record (this form can no longer save:
        a correction to it is an amendment), the typing kept in "Your changes"."""
        charted = treatment_records.charted_values(self.user, self.row.id)
        if charted is None:
            return
        values, aftercare = charted
        self._fill(values)
        self.aftercare.setPlainText(aftercare)
        for button in (self.save_button, self.same_button):
            button.setEnabled(False)

    def show_stale(self, error: StaleEditError) -> None:
        """As every form, and the face chart's points too: the user's points, when they
        differ from the charted ones, are listed in "Your changes" ("3 points on the face
        chart, 12 U") and put back with the rest."""
        typed = self.chart.points() if self.chart is not None else None
        super().show_stale(error)
        self._typed_points = None
        if self.chart is None or typed == self.chart.points():
            return
        self._typed_points = typed
        line = (f"Face chart: {self._points_said(typed)}   "
                f"(charted: {self._points_said(self.chart.points())})")
        self.stale.mine.setPlainText("\n".join(filter(None, (self.stale.mine.toPlainText(),
                                                              line))))
        for widget in (self.stale.mine_label, self.stale.mine, self.stale.put_back_button):
            widget.setVisible(True)
        lines = self.stale.mine.toPlainText().count("\n") + 2
        self.stale.mine.setFixedHeight(self.stale.fontMetrics().lineSpacing() * min(lines, 8)
                                       + 2 * self.stale.mine.frameWidth() + 16)
        self.stale.layout().activate()  # the notice grew: lay it and the dialog out again
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def _points_said(self, points: list[dict]) -> str:
        """ "3 points on the face chart, 12 U" ("no points on the face chart")."""
        if not points:
            return "no points on the face chart"
        total = sum((Decimal(str(p["amount"])) for p in points), Decimal(0))
        return (f"{len(points)} point{'s' if len(points) != 1 else ''} on the face chart, "
                f"{total.normalize():f} {self.chart.unit}")

    def _put_points_back(self) -> None:
        if self._typed_points is not None and self.chart is not None:
            self.chart.set_points(self._typed_points)
        self.stale.mine_label.setText("Your record is back in the form, to compare with the "
                                      "one charted; a correction to that is an amendment.")

    def save(self) -> None:
        done = op(self, partial(treatment_records.record_treatment, self.user, self.row.id,
                                self.values(), aftercare=self.aftercare.toPlainText()),
                  error_label=self.message)
        if done:
            self.record = done.value
            self.accept()
        elif isinstance(done.refusal, StaleEditError):
            self.show_stale(done.refusal)
