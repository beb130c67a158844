"""Personal data: detect it in a table, pseudonymise it with one keyed format.

The pages, the commands and the models all use this package; it never
imports Streamlit.
"""

from sandbox.privacy.guard import *  # noqa: F401,F403
