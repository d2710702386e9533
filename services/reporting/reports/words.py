"""The report's own words; the figures' headers and names are the exports'
(services.reporting.exports.words)."""

from services.reporting.exports.words import Lang

TITLE = {Lang.ID: "Laporan pimpinan Jakpreneur", Lang.EN: "Jakpreneur leadership report"}
BODY = {
    Lang.ID: "Terlampir laporan pimpinan Jakpreneur: {title}. Angka per {as_of} (Asia/Jakarta); hanya angka "
    "agregat, tanpa data pribadi.",
    Lang.EN: "Attached: the Jakpreneur leadership report, {title}. Figures as of {as_of} (Asia/Jakarta); "
    "aggregates only, no personal data.",
}


def report_title(lang: Lang) -> str:
    return TITLE[lang]
