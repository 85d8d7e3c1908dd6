"""Messages to patients (File → Messages and reminders…, admin): the clinic's mail server
(its password goes to this computer's password store, never to the clinic's database), "Send
a test email" with the server's answer in words, text messages, quiet hours, when reminders
go and what they say, and each service's preparation instructions."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ..services.messaging import reminders, sending
from ..services.platform import settings
from ..store.models import CATEGORIES, Service, User
from .ops import background_op
from .widgets.form_dialog import FormDialog

SECURITY_LABELS = {"starttls": "STARTTLS (port 587)", "ssl": "SSL/TLS (port 465)",
                   "none": "None (a relay on this network only)"}


def _line(text: str, name: str, max_length: int = 254, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    edit.setMaxLength(max_length)
    edit.setPlaceholderText(placeholder)
    return edit


class MessagesDialog(FormDialog):
    def __init__(self, user: User, parent=None) -> None:
        super().__init__("Messages and reminders", parent, min_width=980)
        self.user = user
        # what a stale save is judged against: the versions as the form opened
        self.seen = settings.seen(*reminders.SETUP_SETTINGS)
        chosen = sending.read_settings(user)
        timing = reminders.read_reminder_settings(user)
        self._test_task = None

        mail = chosen.mail
        self.host = _line(mail.host, "Mail server", 200, "smtp.example.com")
        self.port = QSpinBox()
        self.port.setRange(*settings.MAIL_PORT.bounds)
        self.port.setValue(mail.port)
        self.port.setAccessibleName("Port")
        self.security = QComboBox()
        self.security.setAccessibleName("Security")
        for key, label in SECURITY_LABELS.items():
            self.security.addItem(label, key)
        self.security.setCurrentIndex(self.security.findData(mail.security))
        self.mail_user = _line(mail.user, "User name", 200)
        self.password = _line("", "Password", 200,
                              "saved on this computer" if mail.user and sending.stored_secret(
                                  "mail", mail.user, mail.host) else "")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip("Kept in this computer's password store, never in the "
                                 "clinic's database or its backups. Leave empty to keep the "
                                 "saved one.")
        self.from_address = _line(mail.from_address, "From address", 254,
                                  "appointments@yourclinic.com")
        self.test_to = _line("", "Send a test email to", 254, "your own address")
        self.test_button = QPushButton("Send a &test email")
        self.test_button.clicked.connect(lambda: self.send_test())
        self.test_answer = QLabel("")
        self.test_answer.setWordWrap(True)
        self.test_answer.setAccessibleName("The mail server's answer")
        mail_box = QGroupBox("Mail server (the clinic's own email account)")
        mail_form = QFormLayout(mail_box)
        mail_form.addRow("&Server", self.host)
        mail_form.addRow("P&ort", self.port)
        mail_form.addRow("Sec&urity", self.security)
        mail_form.addRow("User &name", self.mail_user)
        mail_form.addRow("Pass&word", self.password)
        mail_form.addRow("&From address", self.from_address)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_to, 1)
        test_row.addWidget(self.test_button)
        mail_form.addRow("Test", test_row)
        mail_form.addRow("", self.test_answer)

        sms = chosen.sms
        self.sms_provider = QComboBox()
        self.sms_provider.setAccessibleName("Text messages")
        self.sms_provider.addItem("Off (email only)", "")
        self.sms_provider.addItem("Twilio", "twilio")
        self.sms_provider.setCurrentIndex(self.sms_provider.findData(sms.provider))
        self.sms_account = _line(sms.account, "Account SID", 80)
        self.sms_from = _line(sms.from_number, "Sends from (number)", 20, "+13125550100")
        self.sms_token = _line("", "Auth token", 200)
        self.sms_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.sms_token.setToolTip("Kept in this computer's password store.")
        self.sms_api_url = sms.api_url
        sms_box = QGroupBox("Text messages (to patients without email)")
        sms_form = QFormLayout(sms_box)
        sms_form.addRow("Pro&vider", self.sms_provider)
        sms_form.addRow("Account", self.sms_account)
        sms_form.addRow("Sends from", self.sms_from)
        sms_form.addRow("Token", self.sms_token)

        self.quiet_from = _line(chosen.quiet_from, "Quiet from", 5, "20:00")
        self.quiet_until = _line(chosen.quiet_until, "Quiet until", 5, "08:00")
        quiet_box = QGroupBox("Quiet hours (nothing is sent; it waits)")
        quiet_row = QHBoxLayout(quiet_box)
        for label, edit in (("From", self.quiet_from), ("until", self.quiet_until)):
            quiet_row.addWidget(QLabel(label))
            edit.setMaximumWidth(70)
            quiet_row.addWidget(edit)
        quiet_row.addStretch(1)

        self.days_before = QSpinBox()
        self.days_before.setRange(*settings.REMINDER_DAYS_BEFORE.bounds)
        self.days_before.setSuffix(" days before")
        self.days_before.setSpecialValueText("No early reminder")
        self.days_before.setValue(timing.days_before)
        self.days_before.setAccessibleName("Reminder days before")
        self.morning_of = QCheckBox("And the morning of the appointment")
        self.morning_of.setChecked(timing.morning_of)
        self.send_at = _line(timing.at, "Reminders go out at", 5, "08:00")
        self.send_at.setMaximumWidth(70)
        self.by_category: dict[str, QLineEdit] = {}
        categories = QGridLayout()
        for i, (key, label) in enumerate((k, v) for k, v in CATEGORIES.items()
                                         if k != "retail"):
            edit = _line(timing.days_by_category.get(key, ""), f"{label} days before", 2, "–")
            edit.setToolTip("Days before, for this category; empty: as above")
            edit.setFixedWidth(44)
            self.by_category[key] = edit
            categories.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            categories.addWidget(edit, i // 2, (i % 2) * 2 + 1)
        self.subject = _line(timing.subject, "Reminder subject", 200)
        self.body_text = QPlainTextEdit(timing.body)
        self.body_text.setAccessibleName("Reminder email")
        self.body_text.setMinimumHeight(190)
        self.sms_text = _line(timing.sms, "Reminder text message", 320)
        placeholders = QLabel("Placeholders: " + " ".join(
            f"{{{p}}}" for p in reminders.PLACEHOLDERS))
        placeholders.setWordWrap(True)
        reminder_box = QGroupBox("Appointment reminders")
        reminder_form = QFormLayout(reminder_box)
        reminder_form.addRow("&When", self.days_before)
        reminder_form.addRow("", self.morning_of)
        reminder_form.addRow("&At", self.send_at)
        reminder_form.addRow("Days before,\nby category", categories)
        reminder_form.addRow("Su&bject", self.subject)
        reminder_form.addRow("&Email", self.body_text)
        reminder_form.addRow("Te&xt", self.sms_text)
        reminder_form.addRow("", placeholders)

        self.services = QComboBox()
        self.services.setAccessibleName("Service")
        self.preparation = QPlainTextEdit()
        self.preparation.setAccessibleName("Preparation instructions")
        self.preparation.setPlaceholderText("e.g. Avoid blood thinners for 7 days before.")
        self.preparation.setMaximumHeight(70)
        self._preparation: dict[int, str] = {}
        self._prepared: dict[int, str] = {}
        for service in Service.select().where(Service.active, Service.category != "retail") \
                .order_by(Service.name):
            self.services.addItem(service.name, service.id)
            self._preparation[service.id] = service.preparation
        self._shown_service = self.services.currentData()
        self.preparation.setPlainText(self._preparation.get(self._shown_service, ""))
        self.services.currentIndexChanged.connect(lambda _i: self._show_preparation())
        prep_box = QGroupBox("Preparation instructions ({preparation} in a reminder)")
        prep_form = QFormLayout(prep_box)
        prep_form.addRow("Ser&vice", self.services)
        prep_form.addRow("", self.preparation)

        left, right = QVBoxLayout(), QVBoxLayout()
        for box in (mail_box, sms_box, quiet_box):
            left.addWidget(box)
        for box in (reminder_box, prep_box):
            right.addWidget(box)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.body.removeItem(self.form)
        self.body.addLayout(columns)

    def _show_preparation(self) -> None:
        self._keep_preparation()
        self._shown_service = self.services.currentData()
        self.preparation.setPlainText(self._prepared.get(
            self._shown_service, self._preparation.get(self._shown_service, "")))

    def _keep_preparation(self) -> None:
        if self._shown_service is not None:
            self._prepared[self._shown_service] = self.preparation.toPlainText()

    def mail_settings(self) -> sending.MailSettings:
        return sending.MailSettings(self.host.text().strip(), self.port.value(),
                                    self.security.currentData(), self.mail_user.text().strip(),
                                    self.from_address.text().strip())

    def chosen(self) -> sending.MessageSettings:
        return sending.MessageSettings(
            self.mail_settings(),
            sending.SmsSettings(self.sms_provider.currentData(), self.sms_account.text(),
                                self.sms_from.text(), self.sms_api_url),
            self.quiet_from.text(), self.quiet_until.text())

    def timing(self) -> reminders.ReminderSettings:
        return reminders.ReminderSettings(
            self.days_before.value(), self.morning_of.isChecked(), self.send_at.text(),
            {key: edit.text() for key, edit in self.by_category.items()}, self.subject.text(),
            self.body_text.toPlainText(), self.sms_text.text())

    def send_test(self) -> None:
        """Send a test email with the settings as typed, off the UI thread (a server that
        does not answer takes a while to say so); its answer shown in words."""
        if self._test_task is not None:
            return
        self.test_answer.setText("Sending…")
        self.test_button.setEnabled(False)
        mail, password, to = self.mail_settings(), self.password.text(), self.test_to.text()

        def finished(text: str) -> None:
            self._test_task = None
            self.test_button.setEnabled(True)
            self.test_answer.setText(text)

        self._test_task = background_op(
            self, lambda _say: sending.send_test_email(self.user, to, chosen=mail,
                                                       password=password or None),
            on_success=finished, on_failure=lambda exc: finished(f"Not sent: {exc}"))

    def submit(self) -> None:
        timing = self.timing()
        self._keep_preparation()
        changed = {service_id: text for service_id, text in self._prepared.items()
                   if text.strip() != self._preparation.get(service_id, "").strip()}
        reminders.save_setup(self.user, self.chosen(), timing, changed,
                             mail_password=self.password.text() or None,
                             sms_token=self.sms_token.text() or None, seen=self.seen)
