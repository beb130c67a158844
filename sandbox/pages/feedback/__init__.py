"""Streamlit page of one demo or workshop tool: the page script and its views."""
