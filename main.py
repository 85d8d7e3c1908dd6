"""Start MedSpa Desktop: ``python main.py`` is the same as the ``medspa-desktop`` command."""

import sys

from medspa_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
