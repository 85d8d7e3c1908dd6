"""Check-in: before a patient is marked arrived, the desk sees what is due — money owed on
earlier invoices (and any prepaid credit), the consent the treatment needs when it is missing
or expired, a medical history to take or re-confirm — with a button beside each to deal with
it there and then, or checks in anyway. A patient with nothing due checks in at once, with no
panel (``services/scheduling/check_in.py`` gathers what is due)."""

from __future__ import annotations

import html
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.platform.permissions import allowed
from ...services.scheduling import appointments
from ...services.scheduling.check_in import DueAtCheckIn, due_at_check_in
from ...store.models import User
from .. import style
from ..bus import on_change
from ..ops import op
from ..widgets.modal import run_modal


class _DueRow(QFrame):
    """One thing due: what it is, and the button that deals with it. Once dealt with, it says
    so in the same place and its button goes (nothing below it moves)."""

    def __init__(self, action: str, act, parent=None, *, may_act: bool = True) -> None:
        super().__init__(parent)
        self.may_act = may_act  # this user may do it (else the line only says it)
        self.setObjectName("dueRow")  # the banner's colours for the row, not its children
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(action)
        self.button.setAutoDefault(False)
        self.button.clicked.connect(lambda: act())
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)

    def show_due(self, text: str, done_text: str) -> None:
        self.label.setText(text or done_text)
        self.setStyleSheet(f"#dueRow {{ {style.BANNER_NOTICE if text else style.BANNER_CLEAR} }}")
        self.button.setVisible(bool(text) and self.may_act)


class CheckInDialog(QDialog):
    """What is due for this visit; Check in (the default) or Cancel."""

    def __init__(self, user: User, due: DueAtCheckIn, parent=None) -> None:
        super().__init__(parent)
        self.user, self.due = user, due
        self.row = appointments.get_appointment(user, due.appointment_id)
        self.setWindowTitle(f"Check in — {self.row.patient}")
        self.setMinimumWidth(560)
        head = QLabel(f"<b>{html.escape(self.row.patient)}</b> — "
                      f"{html.escape(self.row.service)} {self.row.start:%H:%M}"
                      + (f" with {html.escape(self.row.provider)}" if self.row.provider else ""))
        self.balance = _DueRow("Take &payment…", self.take_payment,
                               may_act=allowed(user, "billing.checkout"))
        self.consent = _DueRow("&Sign consent now…", self.sign_consent)
        self.history = _DueRow("&Review history…", self.review_history)
        self.credit = QLabel()
        self.credit.setWordWrap(True)
        self.credit.setStyleSheet(style.QUIET_LINE)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.check_in_button = QPushButton("&Check in")
        self.check_in_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_in_button)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        # the rows shown are the ones due as the panel opens; dealing with one turns it green
        self._shown = {self.balance: due.balance_cents > 0, self.consent: bool(due.consent),
                       self.history: bool(due.history)}
        for widget, shown in self._shown.items():
            layout.addWidget(widget)
            widget.setVisible(shown)
        layout.addWidget(self.credit)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.check_in_button.setDefault(True)
        self.check_in_button.setFocus()
        on_change(self, ("invoice", "prepaid", "credit", "consent", "intake", "patient"))
        self._show(due)

    def _show(self, due: DueAtCheckIn) -> None:
        self.due = due
        self.balance.show_due(due.balance_text, "Nothing is owed now.")
        self.consent.show_due(due.consent_text, "The consent is signed.")
        self.history.show_due(due.history, "The medical history is up to date.")
        self.credit.setText(due.credit_text)
        self.credit.setVisible(bool(due.credit_text))

    def refresh(self) -> None:
        done = op(self, partial(due_at_check_in, self.user, self.due.appointment_id))
        if done:
            self._show(done.value)

    # -- dealing with what is due -------------------------------------------------------------
    def take_payment(self) -> None:
        """The oldest invoice with a balance: its payments."""
        from ..billing.tab import PaymentsDialog

        if self.due.owing_invoices:
            run_modal(PaymentsDialog(self.user, self.due.owing_invoices[0], self))

    def sign_consent(self) -> None:
        from ..consents.sign_dialog import ConsentSignDialog

        run_modal(ConsentSignDialog(self.user, self.row.patient_id, self.due.consent_key,
                                    self.row.id, self))

    def review_history(self) -> None:
        """The chart, open at the medical history (re-confirming there records the date)."""
        from ..patients.chart import ChartDialog

        chart = ChartDialog(self.user, self.row.patient_id, self)
        chart.show_tab("intake")
        run_modal(chart)


def confirm_check_in(parent: QWidget, user: User, appointment_id: int) -> bool:
    """Whether to go on checking the visit in: at once when nothing is due, else as the desk
    chooses in the check-in panel."""
    done = op(parent, partial(due_at_check_in, user, appointment_id))
    if not done:
        return False
    if not done.value.anything_due:
        return True
    return run_modal(CheckInDialog(user, done.value, parent))
