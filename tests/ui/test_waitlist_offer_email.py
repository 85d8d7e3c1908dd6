"""The "slot opened" dialog emails the freed slot to every waiting patient it lists."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from medspa_desktop.services.charts import patients
from medspa_desktop.services.platform import auth
from medspa_desktop.services.scheduling import waitlist
from medspa_desktop.store.models import OutboxMessage, Service
from medspa_desktop.ui.schedule.waitlist_dialogs import WaitlistOfferDialog
from tests.conftest import shots
from tests.services.messaging.test_waitlist_offers import DAY, at


def test_the_slot_opened_dialog_emails_the_offer_to_all_listed(qtbot, admin):
    lee = auth.create_user(admin, auth.UserInput("lee", "Mia Lee", "medical_director",
                                                 "long-enough", "Dr Lee", "MD"))
    botox = Service.get(Service.name == "Botox Cosmetic")
    ann = patients.create_patient(admin, patients.PatientInput(
        "Ann", "Ng", dt.date(1980, 1, 2), email="ann@example.com"))
    waitlist.add(admin, waitlist.WaitlistInput(ann.id, botox.id, DAY, DAY))
    offers = waitlist.offers_for(admin, at("10:00"), at("10:30"), lee.id)
    dialog = WaitlistOfferDialog(admin, at("10:00"), at("10:30"), lee.id, offers)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.email_button, Qt.MouseButton.LeftButton)
    assert dialog.emailed.text() == "Offer emailed to 1 waiting patient."
    assert dialog.isVisible()  # still there to book whoever calls
    assert [m.to_address for m in OutboxMessage.select()] == ["ann@example.com"]
    assert dialog.grab().save(str(shots() / "waitlist_offer.png"))
