"""`format=json|csv|xlsx` and `lang=id|en` on every figure (PRODUCT.md §3 "Exports"): the figure's own JSON
model, turned into a file by services.reporting.exports, with the period, filters and time inside."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from services.reporting.api.strict_query import SPEC_DIMENSIONS
from services.reporting.exports import csv_file, xlsx_file
from services.reporting.exports.table import Context, Kind, file_name, table_of
from services.reporting.exports.words import Lang
from services.reporting.labels import label
from services.reporting.metrics import Dimension
from shared.dates import JAKARTA


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Export:
    format: Format
    lang: Lang


async def export(
    format: Annotated[
        Format, Query(description="json (the default), or the same figures as a CSV file or Excel workbook")
    ] = Format.JSON,
    lang: Annotated[
        Lang, Query(description="The language of a file's headers: Indonesian (id, the default) or English")
    ] = Lang.ID,
) -> Export:
    return Export(format, lang)


ExportParams = Annotated[Export, Depends(export)]

# The 200 of an exported figure: its JSON model (from response_model), or one of these files.
AS_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The figures; with format=csv or format=xlsx, as a file to download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            xlsx_file.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


F = TypeVar("F", bound=BaseModel)


def answer(figure: F, kind: Kind, asked: Export, request: Request) -> F | Response:
    """The figure as JSON, or as the file asked for."""
    return figure if asked.format is Format.JSON else as_file(figure, kind, asked, request)


def as_file(figure: BaseModel, kind: Kind, asked: Export, request: Request) -> Response:
    body = figure.model_dump(mode="json", by_alias=True)
    table = table_of(kind, body, _context(asked.lang, request))
    if asked.format is Format.CSV:
        content, media_type = csv_file.write_csv(table), csv_file.MEDIA_TYPE
    else:
        content, media_type = xlsx_file.write_xlsx(table), xlsx_file.MEDIA_TYPE
    name = file_name(kind, body, asked.format.value)
    download = {"content-disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=media_type, headers=download)


def _context(lang: Lang, request: Request) -> Context:
    query = request.query_params
    filters = tuple((n, query[n], _label(n, query[n])) for n in SPEC_DIMENSIONS if n in query)
    kept = urlencode([(k, v) for k, v in query.multi_items() if k not in ("format", "lang")])
    return Context(
        lang=lang,
        as_of=datetime.now(JAKARTA),
        filters=filters,
        source=f"{request.url.path}?{kept}" if kept else request.url.path,
    )


def _label(name: str, value: str) -> str:
    return label(Dimension(name), value) if name in {d.value for d in Dimension} else value
