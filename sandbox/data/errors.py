"""The one exception of the data layer, with a French message for the user."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sandbox.text import q, rows_list


class DataError(ValueError):
    """A problem with the user's data, explained in French.

    The message names the file, the column and the first offending rows as
    the user sees them in a spreadsheet (the header is row 1, so the first
    data row is row 2), then says what to do. Pages show it with
    ``st.error``; the command line prints it and exits with status 2.

    Parameters
    ----------
    problem : str
        What is wrong, as a French sentence.
    filename : str, optional
        The file the problem was found in.
    column : str, optional
        The column, as named in the user's file.
    rows : sequence of int, optional
        Spreadsheet row numbers (header = 1).
    hint : str, optional
        What the user can do about it.

    Examples
    --------
    >>> e = DataError("valeur non numérique", filename="points.csv",
    ...               column="lat", rows=[14, 27], hint="Corrigez ces cellules.")
    >>> print(str(e).replace("\xa0", " "))  # no-break spaces shown as spaces
    Fichier « points.csv », colonne « lat » : valeur non numérique (lignes 14, 27). Corrigez ces cellules.
    """

    def __init__(
        self,
        problem: str,
        *,
        filename: str | None = None,
        column: str | None = None,
        rows: Iterable[int] = (),
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.filename = filename
        self.column = column
        self.rows: Sequence[int] = list(rows)
        self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.filename:
            where.append(f"Fichier {q(self.filename)}")
        if self.column:
            where.append(f"colonne {q(self.column)}")
        text = ", ".join(where)
        if text:
            text = text[0].upper() + text[1:] + "\u00a0: " + self.problem
        else:
            text = self.problem[:1].upper() + self.problem[1:]
        if self.rows:
            label = "ligne" if len(self.rows) == 1 else "lignes"
            text += f" ({label} {rows_list(self.rows)})"
        text = text.rstrip(".") + "."
        if self.hint:
            text += " " + self.hint
        return text

    def with_filename(self, filename: str) -> "DataError":
        """Return the same error, naming *filename* if it named no file."""
        if self.filename:
            return self
        return DataError(self.problem, filename=filename, column=self.column, rows=self.rows, hint=self.hint)
