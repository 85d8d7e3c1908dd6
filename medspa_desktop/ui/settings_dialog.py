"""Clinic settings an admin changes: opening hours, the schedule's grid, the late-cancel
window, the paper documents print on, how long a signed consent stays valid, the tax rates
on services and retail, the folder backups go to, how long intake answers stay fresh before
a treatment and the neurotoxin re-treatment interval. Every change is checked and audited by the services; nothing is saved
unless all of it is valid."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ..services.billing import invoices
from ..services.billing.money import show_basis_points, to_basis_points
from ..services.clinic import clinic, clinical_periods
from ..services.consents import consent_policy
from ..services.platform import auth, backup, settings
from ..services.scheduling import hours
from ..store.database import is_sqlite
from ..store.models import User
from .widgets.form_dialog import FormDialog
from .widgets.stale_notice import form_fields


class ClinicSettingsDialog(FormDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Clinic settings", parent, min_width=780)
        self.user = user
        self.day_hours: dict[int, QLineEdit] = {}
        hours_box = QGroupBox("Opening hours (like 09:00-18:00, or closed)")
        form = QFormLayout(hours_box)
        for day, name in enumerate(hours.WEEKDAYS):
            edit = QLineEdit()
            edit.setAccessibleName(f"{name} hours")
            self.day_hours[day] = edit
            form.addRow(name, edit)
        self.slot = QComboBox()
        for minutes in settings.SLOT_CHOICES:
            self.slot.addItem(f"{minutes} minutes", minutes)
        self.late = QSpinBox()
        self.late.setRange(*settings.LATE_CANCEL_HOURS.bounds)
        self.late.setSuffix(" hours")
        self.paper = QComboBox()
        self.paper.addItem("Letter", "letter")
        self.paper.addItem("A4", "a4")
        other = QGroupBox("Schedule and printing")
        form2 = QFormLayout(other)
        form2.addRow("Schedule &grid", self.slot)
        form2.addRow("&Late cancel within", self.late)
        form2.addRow("&Paper", self.paper)
        self.consent_months = QSpinBox()
        self.consent_months.setRange(*settings.CONSENT_VALID_MONTHS.bounds)
        self.consent_months.setSuffix(" months")
        self.consent_current = QCheckBox("Only on the current version of the form")
        consent_box = QGroupBox("Consents before a treatment")
        form3 = QFormLayout(consent_box)
        form3.addRow("&Valid for", self.consent_months)
        form3.addRow("", self.consent_current)
        self.review_days = QSpinBox()
        self.review_days.setRange(*settings.INTAKE_REVIEW_DAYS.bounds)
        self.review_days.setSuffix(" days")
        self.review_days.setAccessibleName("Re-confirm intake answers older than")
        self.review_days.setToolTip("Pregnancy, medications and tanning change fast: older "
                                    "answers are flagged before a treatment (180 days is "
                                    "6 months).")
        self.toxin_days = QSpinBox()
        self.toxin_days.setRange(*settings.TOXIN_INTERVAL_DAYS.bounds)
        self.toxin_days.setSuffix(" days")
        self.toxin_days.setAccessibleName("Neurotoxin again within")
        self.toxin_days.setToolTip("A neurotoxin sooner than this after the last one is "
                                   "flagged when booking and needs a reason when charted.")
        clinical_box = QGroupBox("Before a treatment")
        form6 = QFormLayout(clinical_box)
        form6.addRow("Re-confirm intake answers &older than", self.review_days)
        form6.addRow("Neuro&toxin again within", self.toxin_days)
        self.services_tax = QLineEdit()
        self.retail_tax = QLineEdit()
        tax_box = QGroupBox("Sales tax (a service can be exempt)")
        form4 = QFormLayout(tax_box)
        for label, edit in (("&Services", self.services_tax), ("&Retail", self.retail_tax)):
            edit.setAccessibleName(f"{label.strip('&')} tax rate")
            edit.setPlaceholderText("like 7.25%")
            edit.setMaxLength(8)
            form4.addRow(label, edit)
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(*settings.LOCK_MINUTES.bounds)
        self.lock_minutes.setSuffix(" idle minutes")
        self.lock_minutes.setAccessibleName("Lock the screen after")
        self.backup_folder = QLineEdit()
        self.backup_folder.setAccessibleName("Backup folder")
        self.backup_folder.setMaxLength(400)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_folder)
        security_box = QGroupBox("Screen lock and backups")
        form5 = QFormLayout(security_box)
        form5.addRow("Lock the screen after", self.lock_minutes)
        row = QHBoxLayout()
        row.addWidget(self.backup_folder, 1)
        row.addWidget(choose)
        if is_sqlite():  # daily, and on quitting after a change; a server backs up itself
            form5.addRow("Back up to", row)
        left, right = QVBoxLayout(), QVBoxLayout()
        for box in (hours_box, other, clinical_box):
            left.addWidget(box)
        for box in (consent_box, tax_box, security_box):
            right.addWidget(box)
        left.addStretch(1)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(right, 1)
        self.body.removeItem(self.form)  # two columns of boxes instead of one form
        self.body.addLayout(columns)
        self.boxes = (hours_box, other, clinical_box, consent_box, tax_box, security_box)
        self.reload_stored()

    def reload_stored(self) -> None:
        """The settings as stored now, and their versions: a save changes only what the user
        changed from these (another PC may change other settings meanwhile), and is refused,
        naming who, when another PC changed the same setting first."""
        self.seen = settings.seen(*clinic.SETTINGS_SCREEN)
        current = hours.clinic_hours_text()
        for day, edit in self.day_hours.items():
            edit.setText(current[day])
        self.slot.setCurrentIndex(self.slot.findData(hours.slot_minutes()))
        self.late.setValue(int(hours.late_cancel_window().total_seconds() // 3600))
        self.paper.setCurrentIndex(self.paper.findData(clinic.paper_size()))
        policy = consent_policy.policy()
        self.consent_months.setValue(policy.valid_months)
        self.consent_current.setChecked(policy.current_version_only)
        self.review_days.setValue(clinical_periods.intake_review_days())
        self.toxin_days.setValue(clinical_periods.toxin_interval_days())
        rates = invoices.tax_rates()
        self.services_tax.setText(show_basis_points(rates.services_bp))
        self.retail_tax.setText(show_basis_points(rates.retail_bp))
        self.lock_minutes.setValue(auth.lock_minutes())
        self.backup_folder.setText(str(backup.backup_folder()) if is_sqlite() else "")

    def stale_fields(self) -> dict:
        """Every labelled setting in the boxes ("Monday", "Schedule grid", "Services"…)."""
        fields: dict = {}
        for box in self.boxes:
            for label, widget in form_fields(box.layout()).items():
                name = f"{label} tax" if box.title().startswith("Sales tax") else label
                fields[name if name not in fields else f"{box.title()}: {name}"] = widget
        fields["Consent only on the current version"] = self.consent_current
        return fields

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for backups",
                                                  self.backup_folder.text())
        if folder:
            self.backup_folder.setText(folder)

    def submit(self) -> None:
        tax = invoices.TaxRates(to_basis_points(self.services_tax.text(), "services tax"),
                                to_basis_points(self.retail_tax.text(), "retail tax"))
        clinic.save_settings(self.user, {d: e.text() for d, e in self.day_hours.items()},
                             self.slot.currentData(), self.late.value(),
                             self.paper.currentData(),
                             consent_policy.Policy(self.consent_months.value(),
                                                   self.consent_current.isChecked()), tax,
                             self.backup_folder.text() if is_sqlite() else None,
                             self.lock_minutes.value(), self.review_days.value(),
                             self.toxin_days.value(), seen=self.seen)
