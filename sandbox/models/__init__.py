"""The algorithms of the demos, in plain Python (no Streamlit): one module per demo."""
