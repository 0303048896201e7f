"""The personal data export as files: one JSON document, or a zip of one CSV per table.

CSV cells go through ``core.formatting.csv_safe`` (as the open data and the admins' CSVs): a note
someone typed as ``=HYPERLINK(…)`` stays text when the file is opened in a spreadsheet.
"""

import csv
import io
import json
import zipfile

from accounts.selectors import TABLES
from core.formatting import csv_safe


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.writer(out)
        writer.writerow(rows[0].keys())
        writer.writerows([csv_safe(value) for value in row.values()] for row in rows)
    return out.getvalue()


def as_csv_zip(data: dict) -> bytes:
    """``<table>.csv`` for every table (empty ones too, so the person sees what was looked at)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in TABLES:
            archive.writestr(f"{name}.csv", "\ufeff" + _csv(data["tables"][name]))  # BOM: Excel reads UTF-8
    return buffer.getvalue()
