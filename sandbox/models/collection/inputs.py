"""Checks and preparation of the collection inputs: streams, coordinates, volumes, time windows, the distance table.

Every problem is a French :class:`~sandbox.data.DataError` naming the file,
the column and the rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sandbox.data.errors import DataError
from sandbox.data.mapping import normalise_name
from sandbox.data.schema import spreadsheet_rows
from sandbox.models.collection._checks import MAX_MAGNITUDE
from sandbox.models.collection.geo import IDF_LAT, IDF_LON
from sandbox.models.collection.labels import FillSource
from sandbox.models.collection.times import parse_clock
from sandbox.text import num, plural, q, rows_list

STREAMS = {
    "ordures menageres": "ordures ménagères", "om": "ordures ménagères", "omr": "ordures ménagères",
    "ordures menageres residuelles": "ordures ménagères", "residuel": "ordures ménagères",
    "emballages": "emballages", "cs": "emballages", "collecte selective": "emballages", "recyclables": "emballages",
    "emballages papiers": "emballages", "multimateriaux": "emballages", "bac jaune": "emballages",
    "verre": "verre", "pav verre": "verre", "biodechets": "biodéchets", "bio": "biodéchets", "dechets alimentaires": "biodéchets",
}
ALL_STREAMS = "tous les flux"

def normalise_stream(value: object) -> str:
    """Canonical French name of a waste stream (« OM » → « ordures ménagères »).

    >>> normalise_stream("OMR"), normalise_stream("Collecte sélective"), normalise_stream("Papiers")
    ('ordures ménagères', 'emballages', 'Papiers')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return STREAMS.get(normalise_name(text), text)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def check_coordinates(frame: pd.DataFrame, *, filename: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Detect latitude/longitude swapped (corrected, and said) and points far outside Île-de-France (dropped, and said).

    Raises DataError when no point is left in Île-de-France.

    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "latitude": [48.86, 2.45, 43.3], "longitude": [2.44, 48.87, 5.4]})
    >>> fixed, warnings = check_coordinates(df)
    >>> fixed[["latitude", "longitude"]].values.tolist()
    [[48.86, 2.44], [48.87, 2.45]]
    >>> len(warnings)
    2
    """
    frame = frame.copy()
    lat = frame["latitude"].astype("float64")
    lon = frame["longitude"].astype("float64")
    warnings = []
    swapped = lat.between(*IDF_LON) & lon.between(*IDF_LAT)
    rows = pd.Series(spreadsheet_rows(frame.index), index=frame.index)
    if swapped.any():
        frame.loc[swapped, ["latitude", "longitude"]] = frame.loc[swapped, ["longitude", "latitude"]].to_numpy()
        where = "sur toutes les lignes" if swapped.all() else f"sur {plural(int(swapped.sum()), 'ligne')} ({_lines(rows[swapped].tolist())})"
        warnings.append(
            f"Latitude et longitude semblent inversées {where} : elles ont été remises dans l'ordre. "
            "Vérifiez la correspondance des colonnes."
        )
    lat = frame["latitude"].astype("float64")
    lon = frame["longitude"].astype("float64")
    outside = ~(lat.between(*IDF_LAT) & lon.between(*IDF_LON))
    if outside.all():
        raise DataError(
            "aucun point n'est en Île-de-France (latitude attendue entre 48,1 et 49,25, longitude entre 1,4 et 3,6)",
            filename=filename, column="latitude", rows=rows[outside].tolist(),
            hint="Vérifiez que les coordonnées sont en degrés WGS 84 et que les colonnes latitude et longitude sont les bonnes.",
        )
    if outside.any():
        count = int(outside.sum())
        sample = ", ".join(f"{q(i)} ({num(a, 3)} ; {num(o, 3)})" for i, a, o in zip(frame.loc[outside, "id"].head(3), lat[outside].head(3), lon[outside].head(3)))
        warnings.append(
            f"{plural(count, 'point')} loin de l'Île-de-France, {'ignoré' if count == 1 else 'ignorés'} "
            f"({_lines(rows[outside].tolist())}) : {sample}. Corrigez {'ses' if count == 1 else 'leurs'} coordonnées."
        )
        frame = frame[~outside]
    return frame, warnings


def _lines(rows: list[int]) -> str:
    """« ligne 6 » or « lignes 6, 9 »."""
    return f"ligne {rows[0]}" if len(rows) == 1 else f"lignes {rows_list(rows)}"


def point_demands(frame: pd.DataFrame, forecast_fill: pd.Series | None, filename: str | None) -> tuple[pd.Series, pd.Series, pd.Series, list[str]]:
    """Volume to collect at each point (L), the fill level used (%), and where it came from."""
    n = len(frame)
    volume = frame["volume_l"] if "volume_l" in frame else pd.Series(np.nan, index=frame.index)
    fill = frame["fill_pct"] if "fill_pct" in frame else pd.Series(np.nan, index=frame.index)
    container = frame["container_l"] if "container_l" in frame else pd.Series(np.nan, index=frame.index)
    source = pd.Series("", index=frame.index, dtype="object")
    warnings = []
    if forecast_fill is not None:
        predicted = forecast_fill.reindex(frame["id"].astype(str)).to_numpy()
        has = np.isfinite(predicted) & container.notna().to_numpy()
        fill = fill.astype("float64").where(~has, predicted)
        source[has] = FillSource.FORECAST
        missing = int((~has).sum())
        if missing and missing < n:
            warnings.append(f"{plural(missing, 'point')} sans historique de capteur : volume tiré du fichier des points.")
    for column, values in (("volume à collecter", volume), ("taux de remplissage", fill), ("contenance du bac", container)):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        absurd = numbers.abs() > MAX_MAGNITUDE
        if absurd.any():
            raise DataError(
                f"valeur démesurée dans {plural(int(absurd.sum()), 'ligne')} (au-delà de {num(MAX_MAGNITUDE)}) : "
                + ", ".join(q(f"{v:.3g}") for v in numbers[absurd].head(3)),
                filename=filename, column=column, rows=spreadsheet_rows(frame.index[absurd.to_numpy()]).tolist(),
                hint="Vérifiez l'unité (litres) et la saisie de ces valeurs.",
            )
    demand = volume.astype("float64").copy()
    from_fill = demand.isna() & fill.notna() & container.notna()
    demand[from_fill] = fill[from_fill] / 100 * container[from_fill]
    source[from_fill & (source == "")] = FillSource.GIVEN_FILL
    full = demand.isna() & container.notna()
    demand[full] = container[full]
    fill = fill.where(~full, 100.0)
    source[full] = FillSource.FULL_ASSUMED
    given = volume.notna() & (source == "")
    source[given] = FillSource.GIVEN_VOLUME
    fill = fill.where(fill.notna(), np.where(container.notna() & (container > 0), 100 * demand / container, np.nan))
    unknown = demand.isna()
    if unknown.any():
        rows = spreadsheet_rows(frame.index[unknown])
        raise DataError(
            f"volume à collecter inconnu pour {plural(int(unknown.sum()), 'point')}",
            filename=filename, rows=rows.tolist(),
            hint="Indiquez le volume à collecter, ou la contenance du bac (avec, si possible, son taux de remplissage).",
        )
    return demand, fill, source, warnings


def time_windows(frame: pd.DataFrame, start: float, filename: str | None) -> np.ndarray:
    """Time windows in minutes from *start* (NaN: none), from the `tw_start` and `tw_end` columns."""
    out = np.full((len(frame), 2), np.nan)
    for k, column in enumerate(("tw_start", "tw_end")):
        if column not in frame:
            continue
        bad = []
        for i, value in enumerate(frame[column].tolist()):
            try:
                out[i, k] = parse_clock(value) - start
            except ValueError:
                bad.append(i)
        if bad:
            raise DataError(
                f"heure illisible dans {plural(len(bad), 'ligne')} : {', '.join(q(frame[column].iloc[i]) for i in bad[:3])}",
                filename=filename, column=column, rows=spreadsheet_rows(frame.index[bad]).tolist(),
                hint="Écrivez les heures sous la forme hh:mm (par exemple 07:30 ou 7h30).",
            )
    reversed_ = np.isfinite(out).all(axis=1) & (out[:, 0] > out[:, 1])
    if reversed_.any():
        raise DataError(
            "créneau horaire qui finit avant de commencer",
            filename=filename, rows=spreadsheet_rows(frame.index[reversed_]).tolist(),
            hint="Vérifiez le début et la fin du créneau de ces points.",
        )
    return out


def matrix_from_table(
    table: pd.DataFrame, ids, *, depot_label: str = "dépôt", disposal_label: str | None = "exutoire",
    unit: str = "km", filename: str | None = None,
) -> np.ndarray:
    """A labelled square distance matrix (first column and header = place names) → km over [depot, disposal, ids…].

    The depot and disposal rows are found by their label (« dépôt », « exutoire »,
    case and accents ignored). Without a disposal label, the depot is used twice.

    >>> t = pd.DataFrame({"lieu": ["dépôt", "A", "B"], "dépôt": [0, 1000, 2000], "A": [1000, 0, 1500], "B": [2000, 1500, 0]})
    >>> matrix_from_table(t, ["B", "A"], disposal_label=None, unit="m").tolist()
    [[0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 1.0], [2.0, 2.0, 0.0, 1.5], [1.0, 1.0, 1.5, 0.0]]
    """
    if table.shape[1] < 2:
        raise DataError("la matrice des distances n'a qu'une colonne", filename=filename,
                        hint="La première colonne nomme les lieux, l'en-tête aussi, dans le même ordre.")
    labels = [str(v).strip() for v in table.iloc[:, 0].tolist()]
    header = [str(v).strip() for v in table.columns[1:]]
    if len(labels) != len(header):
        raise DataError(
            f"la matrice des distances a {plural(len(labels), 'ligne')} et {plural(len(header), 'colonne')} de distances : "
            "elle doit être carrée",
            filename=filename, hint="Une ligne et une colonne par lieu : le dépôt, l'exutoire et chaque point.",
        )
    key = {normalise_name(v): i for i, v in enumerate(labels)}
    col_key = {normalise_name(v): i for i, v in enumerate(header)}
    wanted = [depot_label, disposal_label or depot_label, *[str(i) for i in ids]]
    missing = [w for w in wanted if normalise_name(w) not in key or normalise_name(w) not in col_key]
    if missing:
        raise DataError(
            f"la matrice des distances ne couvre pas {plural(len(missing), 'lieu')} : {', '.join(q(m) for m in missing[:5])}"
            + (f", … ({num(len(missing))} en tout)" if len(missing) > 5 else ""),
            filename=filename,
            hint=f"La matrice doit avoir une ligne et une colonne pour {q(depot_label)}"
            + (f", {q(disposal_label)}" if disposal_label else "") + " et chaque identifiant de point.",
        )
    rows_idx = [key[normalise_name(w)] for w in wanted]
    cols_idx = [col_key[normalise_name(w)] for w in wanted]
    values = table.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    matrix = values[np.ix_(rows_idx, cols_idx)]
    bad = ~np.isfinite(matrix) | (matrix < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(
            f"la matrice des distances contient {plural(int(bad.sum()), 'case vide, négative ou non numérique', 'cases vides, négatives ou non numériques')}, "
            f"par exemple de {q(wanted[i])} à {q(wanted[j])}",
            filename=filename, hint="Chaque case doit être une distance positive ou nulle.",
        )
    return matrix / 1000.0 if unit == "m" else matrix


def streams_in(frame: pd.DataFrame) -> list[str]:
    """The waste streams present, the largest first."""
    if "stream" not in frame or frame["stream"].isna().all():
        return []
    counts = frame["stream"].map(normalise_stream).replace("", np.nan).dropna().value_counts()
    return counts.index.tolist()


def select_stream(frame: pd.DataFrame, stream: str | None, *, filename: str | None = None) -> pd.DataFrame:
    """The points of one stream (all of them for None or « tous les flux »); DataError if none."""
    if len(frame) == 0:
        raise DataError("aucun point à collecter : le tableau est vide", filename=filename)
    if stream in (None, "", ALL_STREAMS) or "stream" not in frame:
        return frame
    chosen = frame[frame["stream"].map(normalise_stream) == normalise_stream(stream)]
    if chosen.empty:
        raise DataError(
            f"aucun point à collecter pour le flux {q(stream)}", filename=filename,
            hint="Flux présents : " + ", ".join(q(s) for s in streams_in(frame)) + ".",
        )
    return chosen
