"""Meter readings in compact arrays: one meter code, one time and one value per reading.

A validated table (``sandbox.data.schemas.water.READINGS``) becomes a
:class:`Readings`: meter identifiers factorised into ``int32`` codes, times
as ``int64`` seconds, values as ``float64`` (an index needs the precision),
and the spreadsheet row of every reading, so that any problem found later
can name the rows as the user sees them. Large files are read in blocks and
joined by :class:`ReadingsBuilder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.schema import Validated, spreadsheet_rows
from sandbox.text import plural, q, rows_list
from sandbox.text import typography

SINGLE_METER = "compteur unique"


@dataclass(frozen=True)
class Readings:
    """Readings of many meters as parallel arrays.

    Attributes
    ----------
    meters : ndarray of str, shape (n_meters,)
        Meter identifiers; ``code`` indexes this array.
    code : ndarray of int32, shape (n,)
    time : ndarray of int64, shape (n,)
        Seconds since 1970-01-01 (naive local time, as read).
    value : ndarray of float64, shape (n,)
        The volume or the index, as in the file (unit not converted).
    row : ndarray of int32, shape (n,)
        Spreadsheet row of each reading (header = 1).
    source : {"volume", "index"}
        Which column the values come from.
    filename : str or None
    notes : tuple of str
        French sentences about the reading of the file (rows ignored, by meter…).
    single_meter : bool
        The file had no meter column: every reading belongs to one meter.
    """

    meters: np.ndarray
    code: np.ndarray
    time: np.ndarray
    value: np.ndarray
    row: np.ndarray
    source: str = "volume"
    filename: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    single_meter: bool = False

    def __len__(self) -> int:
        return len(self.code)

    @property
    def n_meters(self) -> int:
        return len(self.meters)

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_validated(cls, validated: Validated, *, first_index: int = 0, input_index=None) -> "Readings":
        """Readings from the output of ``validate(df, READINGS)``.

        Rows the validation dropped are attributed to their meters (the rows
        next to them in the file) so that the notes can name both.
        *first_index* is the index of the table's first data row (a block of
        a large file starts further down). *input_index*, the index of the
        table given to ``validate``, tells the dropped rows apart when the
        rows are not consecutive (a partition of a file split by meter).

        Examples
        --------
        >>> from sandbox.data import validate
        >>> from sandbox.data.schemas.water import READINGS
        >>> df = pd.DataFrame({"compteur": ["A", "A", "B"],
        ...                    "date": ["01/03/2025 01:00:00", "01/03/2025 02:00:00", "01/03/2025 01:00:00"],
        ...                    "volume": [3.0, 0.0, 12.0]})
        >>> r = Readings.from_validated(validate(df, READINGS))
        >>> list(r.meters), r.code.tolist(), r.row.tolist()
        (['A', 'B'], [0, 0, 1], [2, 3, 4])
        """
        frame = validated.frame
        notes = list(validated.warnings)
        filename = validated.filename
        mapping = dict(validated.mapping)
        has_meter = mapping.get("meter") is not None
        if mapping.get("index") is not None and frame["index"].notna().any():
            source, values = "index", frame["index"]
        elif mapping.get("volume") is not None:
            source, values = "volume", frame["volume"]
        else:
            raise DataError(
                "il faut une colonne de volumes consommés ou une colonne d'index du compteur",
                filename=filename,
                hint="Indiquez-la dans la correspondance des colonnes (en ligne de commande : "
                "--col volume=COLONNE ou --col index=COLONNE).",
            )
        rows = spreadsheet_rows(frame.index)
        if has_meter:
            meter_text = frame["meter"]
        else:
            meter_text = pd.Series(SINGLE_METER, index=frame.index, dtype="str")
        missing = values.isna().to_numpy()
        if missing.any():
            notes.append(_missing_value_note(meter_text[missing], rows[missing], source))
        no_meter = meter_text.isna().to_numpy() & ~missing
        if no_meter.any():
            bad = rows[no_meter]
            label = "ligne" if len(bad) == 1 else "lignes"
            notes.append(typography(
                f"{plural(len(bad), 'relevé')} sans identifiant de compteur ignoré{'s' if len(bad) > 1 else ''} "
                f"({label} {rows_list(bad.tolist())}) : complétez la colonne du compteur."
            ))
            missing = missing | no_meter
        dropped_note = _dropped_rows_note(validated, meter_text, first_index, input_index)
        if dropped_note:
            notes.append(dropped_note)
        if missing.any():
            keep = ~missing
            meter_text, values, rows = meter_text[keep], values[keep], rows[keep]
            stamps = frame["datetime"][keep]
        else:
            stamps = frame["datetime"]
        codes, uniques = pd.factorize(meter_text, sort=False)
        # Nanoseconds to seconds by integer division (much faster than a datetime64 cast).
        times = stamps.to_numpy(dtype="datetime64[ns]").view(np.int64) // 1_000_000_000
        readings = cls(
            meters=np.asarray(uniques, dtype=object),
            code=codes.astype(np.int32),
            time=times,
            value=values.to_numpy(dtype=np.float64),
            row=rows.astype(np.int32),
            source=source,
            filename=filename,
            notes=tuple(notes),
            single_meter=not has_meter,
        )
        return readings

    @classmethod
    def from_arrays(
        cls,
        meter: Sequence | np.ndarray,
        time: Sequence | np.ndarray,
        value: Sequence | np.ndarray,
        *,
        source: str = "volume",
        filename: str | None = None,
    ) -> "Readings":
        """Readings from plain arrays (tests, notebooks); rows are numbered from 2.

        Examples
        --------
        >>> r = Readings.from_arrays(["A", "A"], ["2025-03-01 01:00", "2025-03-01 02:00"], [1.0, 2.0])
        >>> r.n_meters, len(r)
        (1, 2)
        """
        codes, uniques = pd.factorize(pd.Series(np.asarray(meter)).astype("str"), sort=False)
        times = pd.to_datetime(pd.Series(np.asarray(time))).to_numpy().astype("datetime64[s]").astype(np.int64)
        return cls(
            meters=np.asarray(uniques, dtype=object),
            code=codes.astype(np.int32),
            time=times,
            value=np.asarray(value, dtype=np.float64),
            row=np.arange(len(codes), dtype=np.int32) + 2,
            source=source,
            filename=filename,
        )

    # --- ordering --------------------------------------------------------------------------

    def sort_key(self) -> np.ndarray:
        """``int64`` key that orders readings by meter, then time."""
        t0 = self.time.min() if len(self.time) else 0
        return (self.code.astype(np.int64) << 34) | (self.time - t0)

    def out_of_sequence(self) -> np.ndarray:
        """Positions of readings whose time goes backwards in the file, for their own meter.

        A reading that repeats the time of another reading of its meter is a
        duplicate, reported as such, not here.
        """
        order = np.argsort(self.code, kind="stable")  # file order within each meter
        code = self.code[order]
        time = self.time[order]
        back = order[np.flatnonzero((code[1:] == code[:-1]) & (time[1:] < time[:-1])) + 1]
        if len(back):
            keys = np.sort(self.sort_key())
            mine = self.sort_key()[back]
            repeated = np.searchsorted(keys, mine, side="right") - np.searchsorted(keys, mine, side="left") > 1
            back = back[~repeated]
        return back

    def is_sorted(self) -> bool:
        """True if the readings are ordered by meter code, then time."""
        if len(self.code) < 2:
            return True
        step = self.code[1:] - self.code[:-1]
        if bool((step < 0).any()):
            return False
        return not bool(((step == 0) & (self.time[1:] < self.time[:-1])).any())

    def sorted(self) -> "Readings":
        """The same readings ordered by meter code, then time (stable: file order breaks ties)."""
        if self.is_sorted():
            return self
        key = self.sort_key()
        order = np.argsort(key, kind="stable")
        del key
        return Readings(
            meters=self.meters,
            code=self.code[order],
            time=self.time[order],
            value=self.value[order],
            row=self.row[order],
            source=self.source,
            filename=self.filename,
            notes=self.notes,
            single_meter=self.single_meter,
        )


def _missing_value_note(meters: pd.Series, rows: np.ndarray, source: str) -> str:
    what = "d'index" if source == "index" else "de volume"
    return typography(
        f"{plural(len(rows), 'relevé')} sans valeur {what} ignoré{'s' if len(rows) > 1 else ''} : "
        + _by_meter(meters.astype("str").to_numpy(), rows)
        + "."
    )


def _by_meter(meters: np.ndarray, rows: np.ndarray, limit: int = 4) -> str:
    """« compteur « A » (lignes 4, 9), compteur « B » (ligne 12) » for a few meters."""
    frame = pd.DataFrame({"meter": meters, "row": rows})
    groups = list(frame.groupby("meter", sort=False)["row"])
    parts = []
    for meter, meter_rows in groups[:limit]:
        label = "ligne" if len(meter_rows) == 1 else "lignes"
        parts.append(f"compteur {q(meter)} ({label} {rows_list(meter_rows.tolist(), 4)})")
    if len(groups) > limit:
        parts.append(f"et {plural(len(groups) - limit, 'autre compteur', 'autres compteurs')}")
    return ", ".join(parts)


def _dropped_rows_note(validated: Validated, meter_text: pd.Series, first_index: int, input_index=None) -> str | None:
    """Name the meters of the rows that the validation dropped (from the rows next to them in the file)."""
    count = validated.dropped_rows
    kept = validated.frame.index
    if count <= 0 or len(kept) == 0 or not pd.api.types.is_integer_dtype(kept):
        return None
    kept_idx = np.asarray(kept, dtype=np.int64)
    if len(kept_idx) > 1 and bool((np.diff(kept_idx) <= 0).any()):
        return None  # not in file order: cannot tell
    if input_index is not None:  # the rows read are known: the dropped ones are the others
        dropped = np.setdiff1d(np.asarray(input_index, dtype=np.int64), kept_idx)
        return _note_of_dropped(dropped, kept_idx, meter_text)
    jumps = np.flatnonzero(np.diff(kept_idx) > 1)
    inner = [np.arange(kept_idx[j] + 1, kept_idx[j + 1]) for j in jumps]
    head = np.arange(first_index, kept_idx[0]) if kept_idx[0] > first_index else np.zeros(0, dtype=np.int64)
    n_tail = max(0, count - len(head) - sum(len(x) for x in inner))
    tail = np.arange(kept_idx[-1] + 1, kept_idx[-1] + 1 + n_tail)
    dropped = np.concatenate([head, *inner, tail]).astype(np.int64)
    return _note_of_dropped(dropped, kept_idx, meter_text)


def _note_of_dropped(dropped: np.ndarray, kept_idx: np.ndarray, meter_text: pd.Series) -> str | None:
    if not len(dropped):
        return None
    pos = np.searchsorted(kept_idx, dropped)
    meters = meter_text.to_numpy(dtype=object)
    before = meters[np.clip(pos - 1, 0, len(meters) - 1)]
    after = meters[np.clip(pos, 0, len(meters) - 1)]
    meter = np.where((pos > 0) & ((before == after) | (pos >= len(meters))), before, after)
    rows = spreadsheet_rows(pd.Index(dropped))
    return typography(
        f"Relevés ignorés à la lecture, par compteur (d'après les lignes voisines) : {_by_meter(meter, rows)}. "
        "Les autres relevés de ces compteurs sont analysés."
    )


class ReadingsBuilder:
    """Gather readings block by block (a large file), then join them with little extra memory.

    Examples
    --------
    >>> b = ReadingsBuilder()
    >>> b.add(Readings.from_arrays(["A", "B"], ["2025-01-01 01:00"] * 2, [1.0, 2.0]))
    >>> b.add(Readings.from_arrays(["B", "C"], ["2025-01-01 02:00"] * 2, [3.0, 4.0]))
    >>> r = b.build()
    >>> list(r.meters), r.code.tolist()
    (['A', 'B', 'C'], [0, 1, 1, 2])
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._labels: list[str] = []
        self._columns: dict[str, list[np.ndarray]] = {"code": [], "time": [], "value": [], "row": []}
        self._notes: list[str] = []
        self._first: Readings | None = None

    def __len__(self) -> int:
        return sum(len(c) for c in self._columns["code"])

    def add(self, block: Readings) -> None:
        if self._first is None:
            self._first = block
        remap = np.empty(len(block.meters), dtype=np.int32)
        for i, meter in enumerate(block.meters):
            code = self._codes.get(meter)
            if code is None:
                code = self._codes[meter] = len(self._labels)
                self._labels.append(meter)
            remap[i] = code
        self._columns["code"].append(remap[block.code])
        self._columns["time"].append(block.time)
        self._columns["value"].append(block.value)
        self._columns["row"].append(block.row)
        self._notes.extend(block.notes)

    def build(self) -> Readings:
        if self._first is None or not len(self):
            raise DataError("aucun relevé exploitable dans le fichier")
        arrays = {}
        for name in ("code", "time", "value", "row"):
            parts = self._columns[name]
            arrays[name] = np.concatenate(parts) if len(parts) > 1 else parts[0]
            parts.clear()  # free the blocks as soon as each column is joined
        first = self._first
        return Readings(
            meters=np.asarray(self._labels, dtype=object),
            code=arrays["code"],
            time=arrays["time"],
            value=arrays["value"],
            row=arrays["row"],
            source=first.source,
            filename=first.filename,
            notes=tuple(self._notes),
            single_meter=first.single_meter,
        )
