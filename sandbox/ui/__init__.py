"""Streamlit components shared by every page (the models never import this package)."""

from sandbox.ui.inputs import column_mapping, table_input
from sandbox.ui.layout import explain, kpi, page_header, show_error, show_warnings

__all__ = ["column_mapping", "explain", "kpi", "page_header", "show_error", "show_warnings", "table_input"]
