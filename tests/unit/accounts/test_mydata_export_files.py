"""The export's files, from plain data: every table present, CSV cells that a spreadsheet would run
as formulas turned into text, JSON as typed."""

import io
import json
import zipfile

from accounts import export
from accounts.selectors import TABLES


def _data(**tables):
    return {"generated_at": "2026-03-02T07:00:00+00:00", "tables": {name: tables.get(name, []) for name in TABLES}}


def test_every_table_is_a_csv_file_even_empty():
    archive = zipfile.ZipFile(io.BytesIO(export.as_csv_zip(_data())))
    assert archive.namelist() == [f"{name}.csv" for name in TABLES]
    assert archive.read("bookings.csv").decode("utf-8-sig") == ""


def test_formula_cells_are_quoted_and_others_kept():
    rows = [{"note": "=1+1", "city": "+33 1 23", "name": "@home", "plain": "Lyon", "minus": "-5", "count": 3}]
    archive = zipfile.ZipFile(io.BytesIO(export.as_csv_zip(_data(projects=rows))))
    header, line = archive.read("projects.csv").decode("utf-8-sig").splitlines()
    assert header == "note,city,name,plain,minus,count"
    assert line == "'=1+1,'+33 1 23,'@home,Lyon,'-5,3"


def test_json_keeps_text_as_typed():
    data = _data(projects=[{"name": "=1+1 Café"}])
    assert json.loads(export.as_json(data))["tables"]["projects"] == [{"name": "=1+1 Café"}]
