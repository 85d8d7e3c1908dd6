"""MedSpa Desktop: offline-first clinic management for medical spas."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("medspa-desktop")
except PackageNotFoundError:  # a bare checkout that was never installed
    __version__ = "0+unknown"

APP_NAME = "MedSpa Desktop"
