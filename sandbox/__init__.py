"""Bac à sable IA: small AI use cases for French communes, offline.

One English slug per demo (``ocr``, ``collection``, ``water``, ``matching``,
``seniors``) names its package in each layer: ``sandbox.data`` reads and
validates tables (``data/schemas/<slug>.py``), ``sandbox.models.<slug>`` holds
the algorithms (no Streamlit), ``sandbox.pages.<slug>`` and ``sandbox.ui`` are
the Streamlit front end, ``sandbox.commands.<slug>`` runs the same models from
the command line; ``sandbox.privacy``, ``sandbox.sheet`` and
``sandbox.workshop`` are the cross-cutting features. ``docs/architecture.md``
describes the layers and the flow of one upload.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
