"""The op runner: a refusal that asks is asked once with the one prompt for its kind and the
call is retried with the answer; any other refusal is shown where the form shows errors."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from medspa_desktop.services.platform.errors import (
    CONFIRMATION,
    NeedsAnswer,
    ValidationError,
)
from medspa_desktop.ui.ops import op
from medspa_desktop.ui.widgets.messages import ErrorLabel
from medspa_desktop.ui.widgets.reason_prompt import ReasonDialog
from tests.ui.modal import answer_next_modal


class Service:
    """A service that asks for the reason to go ahead, and records the calls it got."""

    def __init__(self, kind: str = "reason") -> None:
        self.calls: list[dict] = []
        self.kind = kind

    def __call__(self, answers=None):
        self.calls.append(dict(answers or {}))
        if not (answers or {}).get("demo.reason"):
            raise NeedsAnswer("Room 2 is closed today.", key="demo.reason", kind=self.kind,
                              title="Go ahead?", prompt="Why?",
                              unanswered="Not done: the reason is needed.")
        return "booked"


def _form(qtbot):
    form = QWidget()
    qtbot.addWidget(form)
    label = ErrorLabel(form)
    return form, label


def test_the_runner_asks_the_question_and_retries_with_the_answer(qtbot):
    form, label = _form(qtbot)
    service = Service()
    asked = []

    def give(dialog: ReasonDialog):
        asked.append((dialog.windowTitle(), dialog.prompt.text()))
        dialog.text.setPlainText("  Room 2 is fine again  ")
        dialog.accept()

    answer_next_modal(give)
    done = op(form, service, error_label=label)
    assert done and done.value == "booked"
    assert asked == [("Go ahead?", "Room 2 is closed today.\n\nWhy?")]
    assert service.calls == [{}, {"demo.reason": "Room 2 is fine again"}]
    assert label.isHidden()


def test_a_declined_question_says_why_nothing_was_done(qtbot):
    form, label = _form(qtbot)
    service = Service()
    answer_next_modal(lambda dialog: dialog.reject())
    done = op(form, service, error_label=label)
    assert not done and done.declined
    assert service.calls == [{}]
    assert label.text() == "Not done: the reason is needed."


def test_a_confirmation_is_asked_yes_or_no(qtbot):
    form, label = _form(qtbot)
    service = Service(CONFIRMATION)
    asked = []

    def yes(box: QMessageBox):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    answer_next_modal(yes)
    assert op(form, service, error_label=label)
    assert asked == ["Room 2 is closed today."]
    assert service.calls == [{}, {"demo.reason": True}]


def test_a_form_with_its_own_field_for_the_answer_is_not_asked(qtbot):
    form, label = _form(qtbot)
    service = Service()
    done = op(form, service, error_label=label, ask_user=False)
    assert not done and label.text() == "Room 2 is closed today."
    assert service.calls == [{}]


def test_a_plain_refusal_is_shown_in_the_form_or_in_a_message_box(qtbot):
    form, label = _form(qtbot)

    def refuse():
        raise ValidationError("Enter the patient's date of birth.")

    assert not op(form, refuse, error_label=label)
    assert label.text() == "Enter the patient's date of birth."
    shown = []

    def read(box: QMessageBox):
        shown.append((box.windowTitle(), box.text()))
        box.accept()

    answer_next_modal(read)
    assert not op(form, refuse, title="Not saved")
    assert shown == [("Not saved", "Enter the patient's date of birth.")]


def test_a_question_from_a_call_that_cannot_take_answers_is_shown_not_asked(qtbot):
    form, label = _form(qtbot)
    service = Service()
    assert not op(form, lambda: service(), error_label=label)
    assert label.text() == "Room 2 is closed today."
