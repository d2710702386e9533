"""The files a report is sent as."""

from enum import StrEnum


class Format(StrEnum):
    XLSX = "xlsx"
    PDF = "pdf"
