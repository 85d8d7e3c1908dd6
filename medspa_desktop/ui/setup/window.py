"""The Clinic setup window (File → Clinic setup…, admin): its sections in a list on the left,
the chosen section's page on the right, each page under a line that says what it is for.
Every change is made by a service, checked, audited and announced on the change bus, so the
booking dialog's lists and the schedule's columns follow at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...store.models import User
from .. import style
from ..billing.membership_dialogs import PlansPage
from ..help import whats_this
from .details import DetailsPage
from .resources import DevicesPage, RoomsPage
from .services import ServicesPage

# (section, the help line over its page, the page)
SECTIONS = (
    ("Clinic details", "The clinic's name, address, contacts and logo are printed on every "
     "letterhead; the paper, time zone and currency symbol apply to every page and amount.",
     DetailsPage),
    ("Rooms", "Rooms are the schedule's room columns and what a booking takes, in this "
     "order. A room out of use cannot be booked; past visits keep its name.", RoomsPage),
    ("Devices", "Lasers and other devices a service needs, by type; the clean-up buffer is "
     "kept free after each use. A device out of use cannot be booked.", DevicesPage),
    ("Services and prices", "What the clinic offers, its length and price. A new price "
     "applies from the date you choose; invoices already issued keep theirs. A retired "
     "service is no longer booked or sold.", ServicesPage),
    ("Membership plans", "Monthly memberships: the fee, the billing day, the minimum term, the "
     "notice to cancel and the member benefits. A change makes a new version for new members; "
     "members keep the version they signed.", PlansPage),
)


class ClinicSetupWindow(QDialog):
    def __init__(self, user: User, parent=None, *, section: str = "Clinic details") -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle("Clinic setup")
        self.resize(980, 640)
        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections")
        self.sections.setMaximumWidth(190)
        self.sections.setSpacing(3)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for title, help_text, page_class in SECTIONS:
            self.sections.addItem(title)
            page = page_class(user)
            self.pages[title] = page
            holder = QWidget()
            help_line = QLabel(help_text)
            help_line.setWordWrap(True)
            help_line.setStyleSheet(style.SETUP_SECTION_HELP)
            help_line.setAccessibleName(f"About {title}")
            column = QVBoxLayout(holder)
            column.addWidget(help_line)
            column.addWidget(page, 1)
            self.stack.addWidget(holder)
        self.sections.currentRowChanged.connect(self.stack.setCurrentIndex)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.sections)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.show_section(section)
        whats_this.explain_clinic_setup(self)

    @property
    def details(self) -> DetailsPage:
        return self.pages["Clinic details"]

    @property
    def rooms(self) -> RoomsPage:
        return self.pages["Rooms"]

    @property
    def devices(self) -> DevicesPage:
        return self.pages["Devices"]

    @property
    def services(self) -> ServicesPage:
        return self.pages["Services and prices"]

    @property
    def plans(self) -> PlansPage:
        return self.pages["Membership plans"]

    def show_section(self, title: str) -> None:
        self.sections.setCurrentRow([t for t, _h, _p in SECTIONS].index(title))
