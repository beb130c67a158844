"""Synthetic sample data for the elderly-care targeting demo (``seniors``).

Two files under ``sample_data/seniors/``:

``territories.csv``
    The 130 real communes of the Métropole du Grand Paris (codes, names and
    populations from ``communes_mgp.csv``) with **synthetic** indicators on
    people aged 60 or more. The values are drawn around plausible levels
    for the inner Paris region, driven by two hidden factors per commune: a
    social-deprivation factor (by territory, EPT) and an urban-density
    factor (distance to the centre of Paris). They are not statistics.

``register.csv``
    About 5,000 **synthetic** people aged 65 or more, spread over the
    communes in proportion to their population aged 60+, with the features
    a CCAS knows and an outcome drawn from a documented latent risk
    (:data:`OUTCOME_MODEL`, written to ``sample_data/seniors/README.md``).

:func:`make_register` and :func:`make_territories` are public so that tests
and benchmarks draw fresh data with other seeds (and, for the register, the
true probabilities).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.data.communes import load_communes
from sandbox.data.schemas.seniors import INCOME_BRACKETS
from sandbox.text import num, pct

REGISTER_SIZE = 5_000

# EPT → social-deprivation factor (about −1: well-off, +1.6: most deprived).
_EPT_DEPRIVATION = {
    "Paris": 0.0,
    "Plaine Commune": 1.6,
    "Est Ensemble": 1.1,
    "Paris Terres d'Envol": 1.1,
    "Grand Paris Grand Est": 0.6,
    "Boucle Nord de Seine": 0.6,
    "Grand-Orly Seine Bièvre": 0.5,
    "Grand Paris Sud Est Avenir": 0.2,
    "Paris Est Marne & Bois": -0.5,
    "Vallée Sud Grand Paris": -0.5,
    "Paris Ouest La Défense": -0.7,
    "Grand Paris Seine Ouest": -1.0,
}

# The latent model of the outcome « unplanned hospitalisation or entry into a
# care home within 12 months »: logit P = intercept + Σ coefficient × term.
# ``frailty`` is a hidden N(0, 1) variable that also drives falls, hospital
# stays and the GIR level: the register sees it only through them.
OUTCOME_MODEL: dict[str, tuple[float, str]] = {
    "intercept": (-3.60, "constante"),
    "frailty": (0.85, "fragilité latente, non observée (loi normale centrée réduite)"),
    "age_per_5y": (0.38, "par tranche de 5 ans au-delà de 75 ans : (âge − 75) / 5"),
    "age_over_85_per_5y": (0.30, "en plus, par tranche de 5 ans au-delà de 85 ans"),
    "recent_hospital": (1.00, "hospitalisation dans les 12 derniers mois"),
    "recent_fall": (0.85, "chute dans les 12 derniers mois"),
    "lives_alone": (0.40, "vit seul·e"),
    "isolated": (0.60, "aucun contact depuis 6 mois ou plus"),
    "alone_and_isolated": (0.60, "interaction : vit seul·e et sans contact depuis 6 mois ou plus"),
    "income_rank": (0.28, "par tranche de revenus en dessous de la plus haute (0 à 3)"),
    "no_lift": (0.35, "en étage sans ascenseur"),
}

_FIRST_F = (
    "Jeanne", "Marie", "Monique", "Françoise", "Simone", "Colette", "Odette", "Denise", "Paulette", "Yvette",
    "Josette", "Huguette", "Michèle", "Nicole", "Christiane", "Jacqueline", "Fatima", "Aïcha", "Rosa", "Lucienne",
    "Madeleine", "Suzanne", "Ginette", "Yvonne", "Thérèse", "Annie", "Danielle", "Claudine", "Malika", "Ming",
)
_FIRST_H = (
    "Jean", "Pierre", "Michel", "André", "Jacques", "Bernard", "Marcel", "Robert", "Roger", "Georges",
    "Gérard", "Claude", "René", "Henri", "Louis", "Mohamed", "Ahmed", "Antonio", "Manuel", "Raymond",
    "Lucien", "Maurice", "Paul", "Daniel", "Alain", "Guy", "Serge", "Youssef", "Joseph", "Albert",
)
_LAST = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Benali", "Haddad", "Nguyen", "Da Silva", "Ferreira", "Traoré", "Diallo", "Cohen", "Lévy", "Kaci",
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _factors(communes: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hidden deprivation and urban-density factors of each commune."""
    deprivation = communes["ept"].map(_EPT_DEPRIVATION).fillna(0.0).to_numpy() + rng.normal(0, 0.35, len(communes))
    lat0, lon0 = 48.8566, 2.3522
    km = np.hypot((communes["latitude"] - lat0) * 111.2, (communes["longitude"] - lon0) * 73.2).to_numpy()
    density = np.clip(1.0 - km / 16.0, 0.0, 1.0)
    density[communes["code_insee"].to_numpy() == "75056"] = 1.0
    return deprivation, density


def make_territories(seed: int) -> pd.DataFrame:
    """Synthetic indicators for the 130 communes (values in %, km, inhabitants).

    Examples
    --------
    >>> t = make_territories(1)
    >>> len(t), bool((t["part_75plus"] > 0).all())
    (130, True)
    """
    rng = np.random.default_rng(seed)
    communes = load_communes().reset_index(drop=True)
    n = len(communes)
    dep, dens = _factors(communes, rng)
    share_60 = np.clip(0.21 - 0.015 * dep + rng.normal(0, 0.015, n), 0.13, 0.30)
    pop60 = np.round(communes["population"].to_numpy() * share_60, -1)
    part75 = np.clip(9.0 - 1.1 * dep + 0.6 * dens + rng.normal(0, 0.9, n), 4.5, 14.0)
    alone = np.clip(29.0 + 13.0 * dens + 1.5 * dep + rng.normal(0, 2.5, n), 18.0, 50.0)
    poverty = np.clip(10.5 + 4.5 * dep + rng.normal(0, 1.5, n), 4.0, 30.0)
    no_car = np.clip(24.0 + 38.0 * dens + 5.0 * dep + rng.normal(0, 4.0, n), 8.0, 75.0)
    no_lift = np.clip(16.0 + 14.0 * dens + 2.0 * dep + rng.normal(0, 4.0, n), 4.0, 45.0)
    gp_km = np.clip(0.25 + 0.9 * (1.0 - dens) + rng.normal(0, 0.15, n), 0.1, 3.0)
    apa = np.clip(6.5 + 1.6 * dep + 0.5 * (part75 - 9.0) + rng.normal(0, 0.8, n), 2.0, 15.0)
    return pd.DataFrame(
        {
            "code_insee": communes["code_insee"],
            "commune": communes["nom"],
            "population_60plus": pop60.astype("int64"),
            "part_75plus": part75.round(1),
            "part_60plus_seuls": alone.round(1),
            "taux_pauvrete_60plus": poverty.round(1),
            "part_60plus_sans_voiture": no_car.round(1),
            "part_60plus_sans_ascenseur": no_lift.round(1),
            "distance_medecin_km": gp_km.round(2),
            "taux_apa_60plus": apa.round(1),
        }
    )


def _logit_of_share(share_pct: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(share_pct, dtype=float) / 100.0, 0.01, 0.99)
    return np.log(p / (1 - p))


def make_register(
    n: int = REGISTER_SIZE,
    seed: int = 0,
    *,
    territories: pd.DataFrame | None = None,
    truth: bool = False,
    missing: bool = True,
) -> pd.DataFrame:
    """A synthetic register of *n* people aged 65+, with the outcome of the latent model.

    Parameters
    ----------
    n : int
    seed : int
    territories : DataFrame, optional
        Output of :func:`make_territories` (drawn with *seed* if absent).
    truth : bool
        Add the hidden columns ``frailty`` and ``true_probability``.
    missing : bool
        Blank a few cells as real exports do (income, contact, lift, alone).

    Returns
    -------
    DataFrame
        French column names as a CCAS export would have them.

    Examples
    --------
    >>> r = make_register(500, seed=3, truth=True)
    >>> len(r), int(r["age"].min()) >= 65
    (500, True)
    """
    rng = np.random.default_rng(seed)
    if territories is None:
        territories = make_territories(seed)
    terr = territories.reset_index(drop=True)
    weights = terr["population_60plus"].to_numpy(dtype=float)
    commune_idx = rng.choice(len(terr), size=n, p=weights / weights.sum())
    t = terr.iloc[commune_idx].reset_index(drop=True)

    female = rng.random(n) < 0.57
    age = 65 + np.minimum(np.floor(rng.exponential(np.where(female, 13.0, 10.5))), 39).astype("int64")
    frailty = rng.normal(0, 1, n)
    isolation = rng.normal(0, 1, n)
    a75 = (age - 75) / 10.0

    alone_logit = _logit_of_share(t["part_60plus_seuls"]) - 0.45 + 0.9 * female + 0.5 * a75 + 0.5 * isolation
    lives_alone = rng.random(n) < _sigmoid(alone_logit)

    poverty = t["taux_pauvrete_60plus"].to_numpy()
    income_latent = -0.09 * (poverty - 11.0) - 0.35 * (female & lives_alone) - 0.1 * a75 + rng.normal(0, 1, n)
    cuts = np.quantile(income_latent, [0.17, 0.47, 0.80])
    income_rank_high = np.searchsorted(cuts, income_latent)  # 0 = lowest bracket … 3 = highest
    no_lift = rng.random(n) < np.clip(t["part_60plus_sans_ascenseur"].to_numpy() / 100.0 * 1.1, 0, 1)
    months = np.floor(rng.exponential(np.exp(0.35 + 0.85 * isolation + 0.35 * lives_alone))).clip(0, 36)

    dependence = 0.85 * frailty + 0.55 * a75 + rng.normal(0, 0.45, n)
    gir = np.select(
        [dependence > 2.6, dependence > 2.1, dependence > 1.6, dependence > 1.1, dependence > 0.5], [1, 2, 3, 4, 5], 6
    )
    gir_known = rng.random(n) < np.where(gir <= 4, 0.8, 0.2)
    fall = rng.random(n) < _sigmoid(-2.1 + 0.8 * frailty + 0.35 * a75 + 0.3 * no_lift)
    hospital = rng.random(n) < _sigmoid(-2.2 + 0.75 * frailty + 0.25 * a75)

    c = {k: v[0] for k, v in OUTCOME_MODEL.items()}
    isolated = months >= 6
    logit = (
        c["intercept"]
        + c["frailty"] * frailty
        + c["age_per_5y"] * (age - 75) / 5.0
        + c["age_over_85_per_5y"] * np.maximum(age - 85, 0) / 5.0
        + c["recent_hospital"] * hospital
        + c["recent_fall"] * fall
        + c["lives_alone"] * lives_alone
        + c["isolated"] * isolated
        + c["alone_and_isolated"] * (lives_alone & isolated)
        + c["income_rank"] * (3 - income_rank_high)
        + c["no_lift"] * no_lift
    )
    probability = _sigmoid(logit)
    outcome = rng.random(n) < probability

    first = np.where(female, rng.choice(_FIRST_F, n), rng.choice(_FIRST_H, n))
    last = rng.choice(_LAST, n)
    frame = pd.DataFrame(
        {
            "identifiant": [f"R{seed % 1000:03d}-{i:06d}" for i in range(1, n + 1)],
            "nom": last,
            "prenom": first,
            "sexe": np.where(female, "F", "H"),
            "age": age,
            "commune": t["commune"].to_numpy(),
            "vit_seul": np.where(lives_alone, "oui", "non"),
            "gir": pd.array(np.where(gir_known, gir, 0), dtype="Int64"),
            "hospitalisation_recente": np.where(hospital, "oui", "non"),
            "chute_recente": np.where(fall, "oui", "non"),
            "tranche_revenus": np.asarray(INCOME_BRACKETS, dtype=object)[income_rank_high],
            "mois_sans_contact": months.astype("int64"),
            "etage_sans_ascenseur": np.where(no_lift, "oui", "non"),
            "evenement_12m": np.where(outcome, "oui", "non"),
        }
    )
    frame["gir"] = frame["gir"].mask(frame["gir"] == 0)
    if missing:
        frame = frame.astype({"tranche_revenus": object, "vit_seul": object, "etage_sans_ascenseur": object})
        frame["mois_sans_contact"] = frame["mois_sans_contact"].astype("Int64")
        for column, rate in (("tranche_revenus", 0.05), ("mois_sans_contact", 0.04), ("etage_sans_ascenseur", 0.03), ("vit_seul", 0.01)):
            frame.loc[rng.random(n) < rate, column] = None
    if truth:
        frame["frailty"] = frailty
        frame["true_probability"] = probability
    return frame


def _readme(register: pd.DataFrame, territories: pd.DataFrame, seed: int) -> str:
    rate = (register["evenement_12m"] == "oui").mean()
    rows = "\n".join(f"| `{k}` | {num(v[0], 2) if v[0] < 0 else '+' + num(v[0], 2)} | {v[1]} |" for k, v in OUTCOME_MODEL.items())
    return f"""# Données d'exemple : repérage des besoins des seniors

Fichiers **synthétiques**, produits par `python -m sandbox.data.generate --only targeting`
(graine {seed}) ; aucune personne réelle, aucune statistique publique réelle.

## `territories.csv` — {len(territories)} communes de la Métropole du Grand Paris

Codes INSEE, noms et populations réels (`communes_mgp.csv`) ; **indicateurs inventés** mais d'un ordre de
grandeur plausible, tirés autour de deux facteurs cachés par commune : un facteur de précarité (selon
l'établissement public territorial) et un facteur de densité urbaine (distance au centre de Paris).
Séparateur `;`, virgule décimale.

| colonne | unité | sens |
|---|---|---|
| `population_60plus` | habitants | personnes de 60 ans et plus |
| `part_75plus` | % | part des 75 ans et plus dans la population |
| `part_60plus_seuls` | % | part des 60 ans et plus vivant seuls |
| `taux_pauvrete_60plus` | % | taux de pauvreté des 60 ans et plus |
| `part_60plus_sans_voiture` | % | part des 60 ans et plus sans voiture |
| `part_60plus_sans_ascenseur` | % | part des 60 ans et plus en étage sans ascenseur |
| `distance_medecin_km` | km | distance moyenne au médecin généraliste ou à la pharmacie |
| `taux_apa_60plus` | % | bénéficiaires de l'APA pour 100 personnes de 60 ans et plus |

## `register.csv` — {len(register)} personnes de 65 ans et plus

Un fichier de CCAS inventé : `identifiant`, `nom`, `prenom` (tirés de listes de prénoms et noms courants),
`sexe` (F/H), `age` (ans), `commune`, `vit_seul`, `gir` (vide si inconnu ; connu pour 80 % des GIR 1 à 4
et 20 % des GIR 5 et 6), `hospitalisation_recente`, `chute_recente`, `tranche_revenus`, `mois_sans_contact`,
`etage_sans_ascenseur` et le résultat `evenement_12m` (hospitalisation non programmée ou entrée en
établissement dans les 12 mois : {pct(rate)} de « oui »). Quelques cellules sont volontairement vides
(revenus 5 %, mois sans contact 4 %, ascenseur 3 %, vit seul 1 %) pour montrer l'imputation.

### Le modèle latent du résultat

Chaque personne a une **fragilité** cachée *f* ~ N(0, 1), qui rend plus probables les chutes, les
hospitalisations et un GIR bas (plus dépendant), sans être dans le fichier. Le résultat est tiré selon
une loi de Bernoulli de probabilité *p* avec

logit(*p*) = somme des termes ci-dessous :

| terme | coefficient | signification |
|---|---|---|
{rows}

Les personnes sont réparties entre communes au prorata des 60 ans et plus ; la probabilité de vivre
seul·e, la tranche de revenus et l'étage sans ascenseur dépendent des indicateurs de leur commune, si bien
que l'indice territorial et le risque individuel vont dans le même sens sans être identiques. Le code est
dans `sandbox/data/generators/targeting.py` (`make_register`, `make_territories`).
"""


def generate(out_dir: Path, seed: int) -> list[Path]:
    """Write ``targeting/territories.csv``, ``targeting/register.csv`` and ``targeting/README.md``."""
    folder = Path(out_dir) / "seniors"
    folder.mkdir(parents=True, exist_ok=True)
    territories = make_territories(seed)
    register = make_register(REGISTER_SIZE, seed, territories=territories)
    paths = [folder / "territories.csv", folder / "register.csv", folder / "README.md"]
    territories.to_csv(paths[0], sep=";", decimal=",", index=False, lineterminator="\n", encoding="utf-8")
    register.to_csv(paths[1], sep=";", index=False, lineterminator="\n", encoding="utf-8")
    paths[2].write_text(_readme(register, territories, seed), encoding="utf-8", newline="\n")
    return paths
