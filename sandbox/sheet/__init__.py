"""The project sheet: what a run measured, the yearly gains, the risks (AI Act, GDPR), as Markdown, JSON and PDF.

Modules, from the bottom up: :mod:`~sandbox.sheet.report` (the figures a
model's result hands over: ``Figure``, ``RunSummary``),
:mod:`~sandbox.sheet.assumptions` (the user's gain assumptions),
:mod:`~sandbox.sheet.gains` (yearly gains, cost of the computation),
:mod:`~sandbox.sheet.compliance` (GDPR and AI Act),
:mod:`~sandbox.sheet.transparency` (the public JSON record),
:mod:`~sandbox.sheet.document` (the sheet as plain blocks), drawn by
:mod:`~sandbox.sheet.markdown` and :mod:`~sandbox.sheet.pdf`, and
:mod:`~sandbox.sheet.sheet` (``build_sheet``, which ties them together).
The gain formulas belong to the workshop profiles (:mod:`sandbox.workshop.formula`).
Nothing here imports Streamlit or the app's page list.
"""
