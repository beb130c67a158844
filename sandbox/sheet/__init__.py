"""The project sheet: what a run measured, the yearly gains, the risks (AI Act, GDPR), as Markdown, JSON and PDF.

Modules: :mod:`~sandbox.sheet.report` (the figures a model's result hands
over), :mod:`~sandbox.sheet.sheet` (the sheet), :mod:`~sandbox.sheet.pdf`,
:mod:`~sandbox.sheet.formula` (the gain formulas of the workshop profiles).
"""
