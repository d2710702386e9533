"""A report as the files it is sent as."""

from dataclasses import dataclass

from services.reporting.reports import pdf, workbook
from services.reporting.reports.compose import Report
from services.reporting.reports.formats import Format


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    content: bytes


def render(report: Report, formats: list[Format]) -> list[Attachment]:
    files = []
    for chosen in dict.fromkeys(formats):
        if chosen is Format.XLSX:
            files.append(
                Attachment(f"{report.file_stem()}.xlsx", workbook.MEDIA_TYPE, workbook.write_workbook(report))
            )
        else:
            files.append(Attachment(f"{report.file_stem()}.pdf", pdf.MEDIA_TYPE, pdf.write_pdf(report)))
    return files
