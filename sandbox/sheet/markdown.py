"""The sheet's document as Markdown (GitHub tables), safe to show with ``st.markdown``.

Every text is escaped (``\\ ` * _ [ ] < > | $ ~`` and a leading ``#``): an
organisation named ``![x](http://…)`` or ``$x$`` is shown as written, never
as an image, a link, a table cell or a formula.

Examples
--------
>>> from sandbox.sheet.document import Document, Heading, Paragraph
>>> print(render_markdown(Document("Titre", "Mairie", "Indicatif.", (Heading("1. Cas"), Paragraph("![x](http://h/i.png)")))))
# Fiche projet — Titre
<BLANKLINE>
*Mairie*
<BLANKLINE>
> Indicatif.
<BLANKLINE>
## 1. Cas
<BLANKLINE>
!\\[x\\](http://h/i.png)
<BLANKLINE>
"""

from __future__ import annotations

import re

from sandbox.sheet.document import Bullets, Document, Heading, Paragraph, Table, one_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~]|^#)")


def escape(text: object) -> str:
    """*text* on one line, with every Markdown (and Streamlit LaTeX) character escaped.

    >>> print(escape("a*b_c | ![d](e) $x$"))
    a\\*b\\_c \\| !\\[d\\](e) \\$x\\$
    """
    return _SPECIAL.sub(r"\\\1", one_line(text))


def _table(block: Table) -> str:
    if block.header is None:
        lines = ["| | |", "|---|---|"]
        lines += [f"| **{escape(r[0])}** | {escape(r[1])} |" for r in block.rows]
    else:
        lines = ["| " + " | ".join(escape(h) for h in block.header) + " |", "|" + "---|" * len(block.header)]
        lines += ["| " + " | ".join(escape(c) for c in r) + " |" for r in block.rows]
    return "\n".join(lines)


def render_markdown(doc: Document) -> str:
    """The document as Markdown: ``#`` title, ``##`` sections, each block followed by a blank line."""
    md: list[str] = [f"# Fiche projet — {escape(doc.title)}", "", f"*{escape(doc.subtitle)}*", "", f"> {escape(doc.disclaimer)}", ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            md += [f"## {escape(block.text)}", ""]
        elif isinstance(block, Paragraph):
            lead = f"**{escape(block.lead)}** " if block.lead else ""
            md += [lead + escape(block.text), ""]
        elif isinstance(block, Table):
            if block.caption:
                md += [f"**{escape(block.caption)}**", ""]
            md += [_table(block), ""]
        elif isinstance(block, Bullets):
            md += [f"**{escape(block.lead)}**", ""] + [f"- {escape(item)}" for item in block.items] + [""]
    return "\n".join(md)
