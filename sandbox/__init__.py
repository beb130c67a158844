"""Bac à sable IA: small AI use cases for French communes, offline.

The package is organised as in ``DESIGN.md``: ``sandbox.data`` reads and
validates tables, ``sandbox.models`` holds the algorithms (no Streamlit),
``sandbox.pages`` and ``sandbox.ui`` are the Streamlit front end and
``sandbox.cli`` runs the same models from the command line.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
