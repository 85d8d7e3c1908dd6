"""A PC's sending round in a process of its own (the test kills it mid-send):
python sender_child.py <database> <now, ISO>."""

from __future__ import annotations

import datetime as dt
import sys

from medspa_desktop.services.messaging import sending
from medspa_desktop.store.database import open_database

if __name__ == "__main__":
    open_database(sys.argv[1])
    sending.send_due(dt.datetime.fromisoformat(sys.argv[2]))
