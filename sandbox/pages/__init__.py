"""The app's pages: ``home.py`` and one folder per demo (``page.py`` and its views), run by ``st.navigation``."""
