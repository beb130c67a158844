"""The common data layer: read, map columns, validate, load samples.

>>> from sandbox.data import read_table, validate, Schema, Column
"""

from sandbox.data.dates import parse_datetimes
from sandbox.data.errors import DataError
from sandbox.data.export import to_csv_bytes, write_csv
from sandbox.data.images import open_image
from sandbox.data.mapping import complete_mapping, normalise_name, parse_mapping_options, suggest_mapping
from sandbox.data.numbers import parse_numbers
from sandbox.data.read import UPLOAD_TYPES, list_sheets, read_table
from sandbox.data.samples import load_sample, sample_dir, sample_path
from sandbox.data.schema import Column, Schema, Validated, spreadsheet_rows, validate

__all__ = [
    "Column",
    "DataError",
    "Schema",
    "UPLOAD_TYPES",
    "Validated",
    "complete_mapping",
    "list_sheets",
    "load_sample",
    "normalise_name",
    "open_image",
    "parse_datetimes",
    "parse_mapping_options",
    "parse_numbers",
    "read_table",
    "sample_dir",
    "sample_path",
    "spreadsheet_rows",
    "suggest_mapping",
    "to_csv_bytes",
    "validate",
    "write_csv",
]
