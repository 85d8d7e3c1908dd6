"""MedSpa Desktop: offline-first clinic management for medical spas."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("medspa-desktop")
except PackageNotFoundError:  # running from a PyInstaller bundle or a bare checkout
    __version__ = "0.1.0"

APP_NAME = "MedSpa Desktop"
