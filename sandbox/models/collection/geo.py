"""Geography of the collection demo: great-circle and estimated road distances, a local plane.

Distances are estimated as the great-circle distance × a detour factor
(1.3 by default, a usual value in dense towns) when the user gives no
road-distance matrix.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 15.0

# Île-de-France, generously: points outside this box are not in the region.
IDF_LAT = (48.10, 49.25)
IDF_LON = (1.40, 3.60)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km (broadcasts).

    >>> round(float(haversine_km(48.8566, 2.3522, 48.8606, 2.3376)), 2)  # Hôtel de Ville → Louvre
    1.16
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_distance_matrix(lat, lon, detour: float = DEFAULT_DETOUR) -> np.ndarray:
    """Estimated road distances (km): great-circle distance × *detour*.

    >>> m = road_distance_matrix([48.85, 48.86], [2.35, 2.35], detour=1.3)
    >>> m.shape, round(float(m[0, 1]), 3)
    ((2, 2), 1.446)
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * float(detour)


def local_xy_km(lat, lon, origin: tuple[float, float] | None = None) -> np.ndarray:
    """Equirectangular projection (km east, km north) around *origin* — exact enough at a city's scale.

    >>> local_xy_km([48.86, 48.87], [2.44, 2.44], origin=(48.86, 2.44)).round(3).tolist()
    [[0.0, 0.0], [0.0, 1.112]]
    """
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    lat0, lon0 = origin if origin is not None else (float(np.mean(lat)), float(np.mean(lon)))
    k = math.pi / 180 * EARTH_RADIUS_KM
    return np.column_stack([(lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k])
