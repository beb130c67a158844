"""Synthetic job offers and candidates for the matching demo, with planted true matches.

``generate(out_dir, seed)`` writes ``matching/offres.csv`` (about 300
offers) and ``matching/candidats.csv`` (about 1,000 people), ``;``-separated
UTF-8, as a commune's employment service might export them. Everything is
made up: jobs come from the ROME reference of the demo
(``sandbox/data/reference/``), skills are drawn from each job's list and
written the way people write them (synonyms, abbreviations, typos, case and
accents lost), places are communes of the métropole, first names and gender
marks appear in the free texts.

Ground truth: seven candidates in ten are built around one offer (same job,
all its required skills, living within their mobility radius, contract and
dates compatible). The column ``offres_retenues`` lists, for every
candidate, all the offers that satisfy these rules on the *true* (clean)
profile: the model never sees that profile, only its noisy rendering.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sandbox.data.communes import load_communes
from sandbox.models.matching import bundled_reference, flip_gender

JOB_WEIGHTS = {
    "K2204": 10, "G1203": 9, "K1302": 9, "J1304": 6, "A1203": 6, "G1602": 5, "G1603": 6, "M1607": 4, "M1602": 5,
    "M1601": 4, "K1706": 3, "K1707": 2, "N4105": 3, "N4101": 2, "N4103": 2, "K2303": 4, "I1203": 4, "K1202": 3,
    "K1303": 3, "J1501": 5, "K1801": 2, "K2501": 2, "G1204": 2, "F1603": 1, "F1602": 1, "K1204": 2, "M1203": 2,
    "M1501": 2, "K1601": 2, "K2503": 2, "G1605": 2, "N1103": 2, "I1604": 1, "K1201": 2, "K1304": 2,
}
CONTEXTS = {
    "K2204": ("l'entretien des écoles et des bâtiments communaux", "le nettoyage de l'hôtel de ville et des équipements sportifs"),
    "G1203": ("les accueils périscolaires des écoles élémentaires", "le centre de loisirs maternel du mercredi"),
    "K1302": ("le service d'aide à domicile du CCAS", "l'accompagnement des personnes âgées à leur domicile"),
    "J1304": ("la crèche collective municipale", "le multi-accueil de 40 berceaux"),
    "A1203": ("l'entretien des parcs, squares et cimetières", "le fleurissement de la ville"),
    "G1602": ("la cuisine centrale (1 500 repas par jour)", "la restauration scolaire en liaison froide"),
    "G1603": ("les offices de restauration scolaire", "le service des repas dans les écoles"),
    "M1607": ("le secrétariat général de la mairie", "l'assistance du maire et des élus"),
    "M1602": ("le service population et état civil", "le service des affaires générales"),
    "M1601": ("l'accueil de l'hôtel de ville", "l'accueil du centre administratif"),
    "K1706": ("la police municipale de proximité", "la brigade de jour de la police municipale"),
    "K1707": ("la surveillance des points écoles et du stationnement", "la brigade des ASVP"),
    "N4105": ("le portage de repas aux seniors", "les livraisons entre les sites municipaux"),
    "N4101": ("le transport de matériel pour les fêtes et cérémonies", "le garage municipal"),
    "N4103": ("le transport scolaire et les sorties des centres de loisirs", "la navette municipale"),
    "K2303": ("la propreté des rues et des marchés", "la collecte des encombrants"),
    "I1203": ("la maintenance des écoles et des gymnases", "la régie bâtiment des services techniques"),
    "K1202": ("la crèche familiale", "le relais petite enfance"),
    "K1303": ("la crèche familiale municipale", "l'accueil des tout-petits à domicile"),
    "J1501": ("l'EHPAD municipal", "le service de soins infirmiers à domicile"),
    "K1801": ("la maison de l'emploi", "le PLIE intercommunal"),
    "K2501": ("le gymnase municipal", "le groupe scolaire et ses abords"),
    "G1204": ("la piscine municipale", "l'école municipale des sports"),
    "F1603": ("la régie des fluides des bâtiments communaux", "la maintenance des chaufferies"),
    "F1602": ("la maintenance électrique des bâtiments", "l'éclairage public et les illuminations"),
    "K1204": ("la médiation dans les quartiers prioritaires", "l'accès aux droits au centre social"),
    "M1203": ("le service des finances", "l'exécution budgétaire du CCAS"),
    "M1501": ("la direction des ressources humaines", "la gestion de la paie et des carrières"),
    "K1601": ("la médiathèque municipale", "la bibliothèque de quartier"),
    "K2503": ("la sécurité des équipements culturels", "le poste de sécurité de l'hôtel de ville"),
    "G1605": ("la cuisine centrale", "le restaurant municipal du personnel"),
    "N1103": ("le magasin des services techniques", "l'entrepôt logistique de la ville"),
    "I1604": ("le garage municipal", "l'entretien du parc de véhicules"),
    "K1201": ("le CCAS", "le service social municipal"),
    "K1304": ("le service d'aide ménagère du CCAS", "l'aide aux familles"),
}
EMPLOYERS = ("La ville de {c}", "Le CCAS de {c}", "La mairie de {c}", "L'établissement public territorial, sur {c},", "Une association de {c}")
QUALITIES = ("sérieux et ponctuel", "motivé et rigoureux", "organisé et polyvalent", "patient et attentif", "dynamique et ponctuel")
CONTRACT_WEIGHTS = {"CDD": 4, "titulaire": 3, "CDI": 2, "contrat aidé": 1, "vacation": 1, "intérim": 1, "alternance": 1}
CONTRACT_WRITING = {
    "CDD": ("CDD", "CDD 6 mois", "Contrat à durée déterminée", "contractuel (CDD)"),
    "titulaire": ("Titulaire", "Fonctionnaire ou contractuel", "Emploi permanent (titulaire)"),
    "CDI": ("CDI", "Contrat à durée indéterminée"),
    "contrat aidé": ("PEC", "Contrat aidé (PEC)", "Parcours emploi compétences"),
    "vacation": ("Vacation", "Vacataire"),
    "intérim": ("Intérim", "Mission d'intérim"),
    "alternance": ("Apprentissage", "Alternance"),
}
PART_TIME = {"G1203": (18, 28), "K2204": (24, 30), "K1302": (24, 30), "G1603": (25, 30), "K1707": (20, 28), "K1303": (30, 45)}
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent",
    "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Andre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez", "Diallo", "Traoré", "Koné", "Diop", "Ndiaye",
    "Camara", "Benali", "Haddad", "Belkacem", "Cherif", "Mansouri", "Nguyen", "Tran", "Pham", "Chen", "Wang",
    "Da Silva", "Ferreira", "Pereira", "Rodrigues", "Yilmaz", "Kaya", "Popescu", "Kowalski", "Mendy", "Sylla",
)
FIRST_NAMES_F = ("Marie", "Fatoumata", "Aïcha", "Sophie", "Nadia", "Julie", "Mei", "Ana", "Yasmine", "Camille", "Aminata", "Inès", "Sandrine", "Khadija", "Léa", "Mariama")
FIRST_NAMES_M = ("Pierre", "Mohamed", "Kévin", "Moussa", "Thomas", "Karim", "Lucas", "Wei", "João", "Mamadou", "Nicolas", "Youssef", "Julien", "Ibrahima", "David", "Rachid")
RADII = (5, 8, 10, 12, 15, 20, 25, 30)
RADIUS_WEIGHTS = (1, 2, 4, 3, 4, 3, 1, 1)
START = pd.Timestamp("2026-09-01")


def _pick(rng: np.random.Generator, items, weights=None):
    items = list(items)
    if weights is None:
        return items[int(rng.integers(len(items)))]
    p = np.asarray(weights, dtype=float)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _typo(text: str, rng: np.random.Generator) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = long_words[int(rng.integers(len(long_words)))]
    w = words[i]
    j = int(rng.integers(1, len(w) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        w = w[:j] + w[j + 1 :]  # a letter missing
    elif kind == 1:
        w = w[:j] + w[j] + w[j:]  # a letter doubled
    elif kind == 2:
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]  # two letters swapped
    else:
        w = w.replace("é", "e").replace("è", "e").replace("ê", "e").replace("à", "a").replace("ç", "c")
        if w == words[i]:
            w = w[:j] + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def _render_skill(skill: str, forms: list[str], rng: np.random.Generator, *, clean: bool) -> str:
    """How a person writes a skill: the label, a synonym or an abbreviation, sometimes with a typo."""
    u = rng.random()
    if clean:
        return forms[0] if u < 0.75 else _pick(rng, forms)
    text = forms[0] if u < 0.45 else _pick(rng, forms[1:] or forms)
    v = rng.random()
    if v < 0.18:
        text = _typo(text, rng)
    elif v < 0.26:
        text = text.lower()
    elif v < 0.30:
        text = text.upper()
    return text


def _render_title(title: str, rng: np.random.Generator, *, feminine: bool, noisy: bool) -> str:
    text = flip_gender(title) if feminine else title
    if noisy:
        u = rng.random()
        if u < 0.12:
            text = _typo(text, rng)
        elif u < 0.25:
            text = text.lower()
        return text
    u = rng.random()
    if u < 0.35:
        return text[:1].upper() + text[1:] + " (H/F)"
    if u < 0.5:
        return text.upper()
    return text[:1].upper() + text[1:]


def _distances(communes: pd.DataFrame) -> np.ndarray:
    lat = np.radians(communes["latitude"].to_numpy())
    lon = np.radians(communes["longitude"].to_numpy())
    h = np.sin((lat[:, None] - lat[None, :]) / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def make_dataset(n_offers: int = 300, n_candidates: int = 1000, seed: int = 2026, planted_share: float = 0.7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offers and candidates with planted matches, as two raw tables (French column names).

    Examples
    --------
    >>> offers, candidates = make_dataset(30, 60, seed=1)
    >>> len(offers), len(candidates), offers.columns[0], candidates.columns[0]
    (30, 60, 'id_offre', 'id_candidat')
    """
    rng = np.random.default_rng(seed)
    ref = bundled_reference()  # always the extract: the samples must not depend on an imported release
    communes = load_communes().reset_index(drop=True)
    dist = _distances(communes)
    weights = np.sqrt(communes["population"].to_numpy(dtype=float))
    codes = list(JOB_WEIGHTS)
    forms = dict(zip(ref.skills["skill"], ref.skills["forms"]))
    job_skills = {c: ref.skills_of(c) for c in codes}

    offers = []
    for n in range(n_offers):
        code = _pick(rng, codes, list(JOB_WEIGHTS.values()))
        skills = job_skills[code]
        order = rng.permutation(len(skills))
        n_req = int(rng.integers(3, 6))
        required = [skills[i] for i in order[:n_req]]
        desired = [skills[i] for i in order[n_req : n_req + int(rng.integers(1, 3))]]
        place = _pick(rng, range(len(communes)), weights)
        contract = _pick(rng, list(CONTRACT_WEIGHTS), list(CONTRACT_WEIGHTS.values()))
        low_high = PART_TIME.get(code)
        hours = float(rng.integers(*low_high)) if low_high and rng.random() < 0.5 else 35.0
        start = START + pd.Timedelta(days=int(rng.integers(0, 120)))
        offers.append({"code": code, "required": required, "desired": desired, "place": place, "contract": contract, "hours": hours, "start": start})

    off_rows = []
    for n, o in enumerate(offers):
        commune = communes.at[o["place"], "nom"]
        title = _pick(rng, ref.jobs.at[o["code"], "titles"])
        shown_title = _render_title(title, rng, feminine=rng.random() < 0.1, noisy=False)
        req = [_render_skill(s, forms[s], rng, clean=True) for s in o["required"]]
        des = [_render_skill(s, forms[s], rng, clean=True) for s in o["desired"]]
        sep = _pick(rng, ["; ", ", ", " ; "])
        mission = ", ".join(req[:2]) + (f" et {req[2]}" if len(req) > 2 else "")
        description = (
            f"{_pick(rng, EMPLOYERS).format(c=commune)} recrute pour {_pick(rng, CONTEXTS[o['code']])}. "
            f"Missions principales : {mission}. "
            f"Profil : {_pick(rng, QUALITIES)}, esprit de service public. "
            f"Poste de {num_hours(o['hours'])} par semaine."
        )
        u = rng.random()
        skills_req, skills_des = sep.join(req), sep.join(des)
        if u < 0.03:
            description = ""
        elif u < 0.06:
            skills_req, skills_des = "", ""  # only in the description
        off_rows.append(
            {
                "id_offre": f"OFF-{n + 1:04d}",
                "intitule": shown_title,
                "description": description,
                "competences_requises": skills_req,
                "competences_souhaitees": skills_des,
                "commune": commune,
                "type_contrat": _pick(rng, CONTRACT_WRITING[o["contract"]]),
                "heures_hebdo": f"{o['hours']:g}",
                "date_debut": "" if rng.random() < 0.1 else o["start"].strftime("%d/%m/%Y"),
            }
        )
    offers_df = pd.DataFrame(off_rows)

    by_code: dict[str, list[int]] = {}
    for j, o in enumerate(offers):
        by_code.setdefault(o["code"], []).append(j)

    cand_rows = []
    for n in range(n_candidates):
        planted = rng.random() < planted_share
        if planted:
            target = int(rng.integers(n_offers))
            o = offers[target]
            code = o["code"]
            radius = float(_pick(rng, RADII, RADIUS_WEIGHTS))
            near = np.flatnonzero(dist[o["place"]] <= 0.85 * radius)
            place = int(near[int(rng.integers(len(near)))])
            others = [s for s in job_skills[code] if s not in o["required"]]
            extra = [others[i] for i in rng.permutation(len(others))[: int(rng.integers(0, 3))]]
            latent = list(o["required"]) + [s for s in o["desired"] if rng.random() < 0.5] + extra
            latent = list(dict.fromkeys(latent))
            accepted = [] if rng.random() < 0.4 else list(dict.fromkeys([o["contract"], *[_pick(rng, list(CONTRACT_WEIGHTS)) for _ in range(int(rng.integers(0, 3)))]]))
            avail = o["start"] - pd.Timedelta(days=int(rng.integers(0, 60)))
            time_pref = "temps partiel" if o["hours"] < 32 and rng.random() < 0.5 else _pick(rng, ["temps plein", "indifférent", ""]) if o["hours"] >= 32 else "indifférent"
        else:
            code = _pick(rng, codes, list(JOB_WEIGHTS.values()))
            radius = float(_pick(rng, RADII, RADIUS_WEIGHTS))
            place = _pick(rng, range(len(communes)), weights)
            skills = job_skills[code]
            latent = [skills[i] for i in rng.permutation(len(skills))[: int(rng.integers(2, 6))]]
            accepted = [] if rng.random() < 0.4 else list(dict.fromkeys(_pick(rng, list(CONTRACT_WEIGHTS)) for _ in range(int(rng.integers(1, 3)))))
            avail = START + pd.Timedelta(days=int(rng.integers(-30, 150)))
            time_pref = _pick(rng, ["temps plein", "temps partiel", "indifférent", ""])

        # Ground truth on the clean profile.
        truth = []
        for j in by_code.get(code, []):
            o = offers[j]
            if not set(o["required"]) <= set(latent):
                continue
            if dist[place, o["place"]] > radius:
                continue
            if accepted and o["contract"] not in accepted:
                continue
            if (avail - o["start"]).days > 14:
                continue
            if time_pref == "temps partiel" and o["hours"] >= 32:
                continue
            truth.append(offers_df.at[j, "id_offre"])

        feminine = rng.random() < 0.5
        first = _pick(rng, FIRST_NAMES_F if feminine else FIRST_NAMES_M)
        title = _pick(rng, ref.jobs.at[code, "titles"])
        rendered = [_render_skill(s, forms[s], rng, clean=False) for s in latent]
        order = rng.permutation(len(rendered))
        skills_cell = _pick(rng, ["; ", ", ", " / "]).join(rendered[i] for i in order)
        years = int(rng.integers(1, 16))
        prose = [_render_skill(s, forms[s], rng, clean=False).lower() for s in latent[:3]]
        intro = _pick(rng, [f"{first}, {int(rng.integers(20, 60))} ans. ", f"Je m'appelle {first}. ", "", "", f"{first} "])
        experience = (
            f"{intro}{title[:1].upper() + title[1:]} depuis {years} ans. "
            f"Expérience dans {_pick(rng, CONTEXTS[code])} : {', '.join(prose)}. "
            f"{_pick(rng, ['Je suis', 'Il est', 'Candidat'])} {_pick(rng, QUALITIES)}."
        )
        if feminine:
            experience = flip_gender(experience)
        if rng.random() < 0.04:
            skills_cell = ""  # skills only in the text
        cand_rows.append(
            {
                "id_candidat": f"CAND-{n + 1:05d}",
                "nom": f"{first} {_pick(rng, SURNAMES)}",
                "sexe": "F" if feminine else "H",
                "age": int(rng.integers(19, 62)),
                "metier_recherche": _render_title(title, rng, feminine=feminine, noisy=True),
                "competences": skills_cell,
                "experience": experience if rng.random() > 0.02 else "",
                "commune": communes.at[place, "nom"],
                "rayon_mobilite_km": f"{radius:g}",
                "disponibilite": "immédiate" if rng.random() < 0.3 and avail <= START else avail.strftime("%d/%m/%Y"),
                "contrats_acceptes": ", ".join(accepted),
                "temps_travail": time_pref,
                "offres_retenues": " ; ".join(truth),
            }
        )
    return offers_df, pd.DataFrame(cand_rows)


def num_hours(hours: float) -> str:
    return f"{hours:g}\u00a0h".replace(".", ",")


def generate(out_dir: Path, seed: int) -> list[Path]:
    """Write ``matching/offres.csv`` and ``matching/candidats.csv`` under *out_dir*."""
    folder = Path(out_dir) / "matching"
    folder.mkdir(parents=True, exist_ok=True)
    offers, candidates = make_dataset(300, 1000, seed=seed)
    paths = []
    for name, frame in (("offres.csv", offers), ("candidats.csv", candidates)):
        path = folder / name
        frame.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths
