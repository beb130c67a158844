"""Repository-wide pytest configuration.

``make test`` collects ``tests/`` and runs the ``>>>`` examples of every module
under ``sandbox/`` (``--doctest-modules``). The Streamlit page scripts and the
app's entry point draw a page when imported, so they are not collected.
"""

collect_ignore_glob = [
    "sandbox/app.py",
    "sandbox/pages/home.py",
    "sandbox/pages/*/page.py",
]
