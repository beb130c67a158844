"""Schemas of the shared reference tables."""

from sandbox.data.schema import Column, Schema

COMMUNES = Schema(
    name="communes",
    description="Table de référence des communes (code INSEE, nom, population, centroïde).",
    columns=(
        Column("code_insee", "id", "code INSEE", synonyms=("insee", "code commune", "codgeo")),
        Column("nom", "text", "nom de la commune", synonyms=("commune", "libelle")),
        Column("code_departement", "text", "code du département", required=False, synonyms=("dep", "departement code")),
        Column("departement", "text", "département", required=False),
        Column("ept", "text", "établissement public territorial", required=False, synonyms=("territoire",)),
        Column("population", "integer", "population", unit="hab.", min=0),
        Column("latitude", "latitude", "latitude", unit="°", min=48.0, max=49.5),
        Column("longitude", "longitude", "longitude", unit="°", min=1.4, max=3.6),
    ),
    unique=("code_insee",),
)
