"""The longest text each kind of field takes: the one source for the rule a service checks
("must be at most 80 characters") and for the length the form's field stops typing at
(``setMaxLength`` in ui/, which imports these). A field without its own rule gets
``ui/widgets/limits.DEFAULT_MAX_LENGTH``."""

from __future__ import annotations

# people
PATIENT_NAME = 80  # a patient's first, last and preferred name, each
FULL_NAME = 120  # a staff member's full name, an emergency contact, a gift card's recipient
DISPLAY_NAME = 60  # a staff member's name as shown on the schedule and paperwork
CREDENTIALS = 40  # MD, NP, RN…
EMAIL = 254
ADDRESS = 500
WEBSITE = 200
GUARDIAN = 200  # a minor's parent or guardian signing a consent
RELATION = 60  # …and how they are related

# the clinic and what it offers
CLINIC_NAME = 120
SERVICE_NAME = 120
ROOM_NAME = 60
DEVICE_NAME = 80
PRODUCT_NAME = 120
SKU = 40
LOT_NUMBER = 40
CONSENT_TITLE = 200
PHOTO_AREA = 80

# reasons and notes
REASON = 500  # cancelling, voiding, refunding, a discount, an amendment, a stock adjustment
SHORT_REASON = 200  # archiving a chart, deactivating an account, retiring a product, time off
WAITLIST_NOTES = 500
APPOINTMENT_NOTES = 2000
