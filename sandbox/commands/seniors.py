"""``python -m sandbox target`` (whom to visit first) and ``python -m sandbox needs-index`` (where the needs are)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sandbox.commands._common import add_table_options, output_dir, read_validated
from sandbox.data import DataError, parse_mapping_options, read_table, validate
from sandbox.data.export import to_csv_bytes
from sandbox.data.insee import insee_indicators, recognise
from sandbox.data.communes import load_outlines
from sandbox.data.schemas.seniors import PERSONS, TERRITORIES
from sandbox.sheet.report import Stopwatch
from sandbox.models.seniors import (
    DECISION_SUPPORT_LABEL,
    INDICATORS,
    METHODS,
    MODEL_LABELS,
    OUTCOME,
    analyse_territories,
    compare_models,
    csv_bytes,
    indicator_label,
    new_key,
    parse_weights,
    plan_visits,
    prepare_persons,
    prepare_territories,
)
from sandbox.text import num, pct, plain, plural, q


def register(subparsers: argparse._SubParsersAction) -> None:
    target = subparsers.add_parser(
        "target",
        help="seniors : proposer les personnes à visiter d'abord dans une capacité donnée",
        description=(
            "Apprend un modèle de risque sur le registre (régression logistique et gradient boosting comparés, "
            "probabilités calibrées), propose exactement N personnes à visiter et une liste de réserve, et mesure "
            "sur des personnes mises de côté combien de personnes ayant besoin d'aide la liste atteint, face au hasard "
            "et à la règle « 85 ans et plus vivant seul ». Aide à la décision : un agent valide la liste."
        ),
    )
    target.add_argument("file", metavar="PERSONNES", help="registre : CSV, XLSX, ODS ou Parquet")
    target.add_argument("--outcome", required=True, metavar="COLONNE", help="colonne du résultat à prévoir (oui/non)")
    target.add_argument("--capacity", required=True, type=int, metavar="N", help="nombre de visites possibles")
    target.add_argument("--reserve", type=int, default=None, metavar="R", help="taille de la liste de réserve (20 %% de N par défaut)")
    target.add_argument(
        "--model", choices=["auto", *MODEL_LABELS], default="auto", help="modèle (auto : choisi par validation croisée)"
    )
    target.add_argument(
        "--calibration", choices=["sigmoid", "isotonic", "none"], default="sigmoid", help="recalibrage des probabilités"
    )
    target.add_argument(
        "--min-share", type=float, default=None, metavar="PCT", help="part minimale des visites garantie à chaque commune, en %%"
    )
    target.add_argument("--seed", type=int, default=42, help="graine (découpage, tirage au sort des ex æquo)")
    target.add_argument(
        "--key-file",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="clé de pseudonymisation à réutiliser (créée si absente) ; par défaut une clé nouvelle à chaque fois",
    )
    target.add_argument(
        "--correspondence", type=Path, default=None, metavar="FICHIER",
        help="où écrire la table pseudonyme → identifiant (hors du dossier --out ; aucune par défaut)",
    )
    target.add_argument("--out", type=Path, default=None, metavar="DOSSIER", help="dossier où écrire les résultats")
    add_table_options(target)
    target.set_defaults(func=run_target)

    index = subparsers.add_parser(
        "needs-index",
        help="seniors : indice composite des besoins par commune et robustesse du classement",
        description=(
            "Calcule un indice de besoins des personnes âgées par territoire à partir d'indicateurs agrégés "
            "(une valeur haute = plus de besoins), puis la stabilité du top 10 quand les pondérations varient."
        ),
    )
    index.add_argument(
        "file", nargs="+", metavar="TERRITOIRES",
        help="indicateurs par territoire (CSV, XLSX, ODS, Parquet), ou fichiers INSEE tels que publiés (Filosofi, "
        "recensement base-cc / base-ic), joints sur le code du territoire",
    )
    index.add_argument(
        "--scope", default=None, metavar="PERIMETRE",
        help="territoires gardés : mgp (Métropole du Grand Paris), un département (89, 2A, 974), une liste de codes "
        "séparés par des virgules, ou france (tout) ; par défaut tout le fichier",
    )
    index.add_argument(
        "--outcome", default=None, metavar="COLONNE",
        help="besoin observé (colonne du fichier ou indicateur, par exemple apa_rate) : les poids sont appris pour le suivre, "
        "avec validation croisée par territoire, et la colonne indice_hors_echantillon est écrite",
    )
    index.add_argument("--cv", default="auto", metavar="loo|K", help="validation croisée : loo (un territoire à la fois) ou K blocs")
    index.add_argument("--use-fitted", action="store_true", help="classer avec les poids appris (sinon : avec --weights)")
    index.add_argument(
        "--weights",
        default=None,
        metavar="NOM=POIDS,…",
        help="pondérations, par exemple poverty_60plus=2,alone_60plus=1 (1 par défaut, 0 pour ignorer) ; indicateurs : "
        + ", ".join(INDICATORS),
    )
    index.add_argument("--method", choices=sorted(METHODS), default="zscore", help="normalisation et agrégation")
    index.add_argument("--top", type=int, default=10, help="taille du haut de classement étudié")
    index.add_argument("--draws", type=int, default=500, help="tirages de l'analyse de robustesse")
    index.add_argument("--spread", type=float, default=50.0, metavar="PCT", help="variation des poids, en %% (±)")
    index.add_argument("--seed", type=int, default=42)
    index.add_argument("--out", type=Path, default=None, metavar="DOSSIER", help="dossier où écrire les résultats")
    add_table_options(index)
    index.set_defaults(func=run_needs_index)


def _say(text: str = "", **kwargs) -> None:
    """Print with plain spaces (a redirected console may not encode the French no-break spaces)."""
    print(plain(text), **kwargs)


def _warn(lines) -> None:
    for line in lines:
        _say(f"Attention : {plain(line)}", file=sys.stderr)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (0600), whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def _key(path: Path | None) -> bytes:
    if path is None:
        return new_key()
    if path.is_file():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 16:
            raise DataError("clé de pseudonymisation illisible", filename=str(path), hint="Le fichier doit contenir la clé en hexadécimal (créée par cette commande).")
        return key
    key = new_key()
    _write_private(path, (key.hex() + "\n").encode("ascii"))
    return key


def _apart(out: Path, path: Path | None, what: str) -> None:
    """Refuse a secret (key, correspondence table) in the folder of the pseudonymised list."""
    if path is not None and path.resolve().parent == out.resolve():
        raise DataError(
            f"{what} ne peut pas être écrite dans le dossier de la liste pseudonymisée ({out})",
            hint="Gardez-la à part (un autre dossier, au CCAS) : qui reçoit la liste ne doit pas pouvoir retrouver les personnes.",
        )


def run_target(args: argparse.Namespace) -> int:
    mapping = parse_mapping_options(args.col)
    mapping["outcome"] = args.outcome
    validated = read_validated(args.file, PERSONS, args, mapping=mapping, errors="drop")
    filename = Path(args.file).name
    min_share = None if args.min_share is None else args.min_share / 100.0
    with Stopwatch() as watch:
        table = prepare_persons(validated.frame, filename=filename)
        _warn(table.warnings)
        comparison = compare_models(table, calibration=args.calibration, seed=args.seed)
        method = None if args.model == "auto" else args.model
        plan = plan_visits(table, comparison, args.capacity, method=method, reserve=args.reserve, min_share=min_share, seed=args.seed)
    _warn(plan.notes)
    _say(f"{num(len(table.frame))} personnes classées ; {num(int(table.labelled.sum()))} avec un résultat connu ({args.outcome}).")
    _say("\nModèles comparés sur les personnes mises de côté :")
    for m in comparison.metrics:
        chosen = " ← utilisé" if m.method == plan.method else ""
        _say(
            f"  {m.label:<42} AUC {num(m.auc, 3)} (validation croisée {num(m.oof_auc, 3)}), "
            f"Brier {num(m.brier, 4)}, erreur de calibration {num(m.ece, 3)}{chosen}"
        )
    ev = plan.evaluation
    _say("\n" + plain(ev.summary_fr()))
    _say(f"  modèle : {num(ev.model_reached)} ; règle simple : {num(ev.rule_reached)} ; hasard : {num(ev.random_expected, 1)}")
    _say("\nÉquité (personnes mises de côté) : " + plain(plan.fairness.summary_fr()))
    _say(f"\n{plain(DECISION_SUPPORT_LABEL)}")
    listing = plan.to_frame()
    shown = listing[listing["statut"] == "visite"].head(10)
    _say(f"Les {min(10, len(shown))} premières des {num(plan.selection.capacity)} visites proposées :")
    for _, row in shown.iterrows():
        _say(
            f"  {row['rang']:>4}. {row['identifiant']}  {row['commune']:<24} risque {num(row['risque estimé (%)'], 1)} %"
            f"  — {plain(row['facteurs principaux'])}"
        )
    _say(f"Calcul : {num(watch.seconds, 1)} s.")
    if args.out:
        out = output_dir(args.out)
        _apart(out, args.key_file, "la clé de pseudonymisation")
        _apart(out, args.correspondence, "la table de correspondance")
        key = _key(args.key_file)
        export, correspondence = plan.export(key)
        files = {
            "visites_pseudonymisees.csv": export,
            "comparaison_modeles.csv": comparison.to_frame(),
            "calibration.csv": comparison.calibration_frame(),
            "equite.csv": plan.fairness.to_frame(),
            "capacite_vs_reference.csv": ev.to_frame(),
        }
        for name, frame in files.items():
            (out / name).write_bytes(csv_bytes(frame))
        _say(f"\nRésultats écrits dans {out} : {', '.join(files)}.")
        if args.correspondence is not None:
            _write_private(args.correspondence, csv_bytes(correspondence))
            _say(
                f"La table de correspondance est écrite à part, dans {args.correspondence} (lisible par vous seul) : "
                "gardez-la au CCAS et ne la transmettez jamais avec la liste."
            )
        else:
            _say("Aucune table de correspondance écrite (option --correspondence FICHIER, hors du dossier des résultats).")
        _say("La liste exportée est pseudonymisée : ni nom, ni identifiant, ni âge exact (tranches d'âge).")
    return 0


def _indicator_named(name: str, mapping: dict) -> str | None:
    """The indicator a ``--outcome`` names (by name, French label or mapped file column), else None."""
    from sandbox.data.mapping import normalise_name

    wanted = normalise_name(name)
    for indicator in INDICATORS:
        if wanted in (normalise_name(indicator), normalise_name(indicator_label(indicator))) or mapping.get(indicator) == name:
            return indicator
    return None


def _territory_table(args: argparse.Namespace):
    """Read the files (INSEE as published or prepared tables), keep the scope, validate, prepare."""
    mapping = parse_mapping_options(args.col)
    paths = [Path(f) for f in args.file]
    frames = [read_table(p, sheet=args.sheet, max_rows=args.max_rows) for p in paths]
    official = [recognise(f, p.name) for f, p in zip(frames, paths)]
    outcome_column = None
    if args.outcome and _indicator_named(args.outcome, mapping) is None:
        outcome_column = args.outcome
        mapping["outcome"] = args.outcome
    if len(frames) == 1 and official[0] is None and args.scope is None:
        validated = read_validated(paths[0], TERRITORIES, args, mapping=mapping)
        return prepare_territories(validated.frame, filename=paths[0].name), validated.mapping
    built = insee_indicators(frames, scope=args.scope, filenames=[p.name for p in paths])
    _warn(built.warnings)
    for info in built.files:
        _say(f"Fichier INSEE reconnu : {info.filename} ({info.label}).")
    if outcome_column and outcome_column not in built.frame.columns:
        raise DataError(
            f"colonne du besoin observé introuvable : {q(outcome_column)}",
            hint="Colonnes disponibles : " + ", ".join(q(c) for c in built.frame.columns) + ".",
        )
    frame = built.frame.reset_index(drop=True)
    validated = validate(frame, TERRITORIES, {k: v for k, v in mapping.items() if k in TERRITORIES.names},
                         filename=", ".join(p.name for p in paths))
    _warn(validated.warnings)
    sources = {k: v.sentence() for k, v in built.sources.items()}
    return prepare_territories(validated.frame, filename=validated.filename, sources=sources), validated.mapping


def run_needs_index(args: argparse.Namespace) -> int:
    table, file_mapping = _territory_table(args)
    filename = ", ".join(Path(f).name for f in args.file)
    _warn(table.warnings)
    columns = {actual: expected for expected, actual in file_mapping.items() if actual}
    outcome = None
    if args.outcome:
        outcome = _indicator_named(args.outcome, {k: v for k, v in file_mapping.items() if v}) or OUTCOME
        if outcome == OUTCOME and not table.has_outcome:
            raise DataError(f"la colonne du besoin observé {q(args.outcome)} est vide ou non numérique")
        if outcome != OUTCOME and outcome not in table.indicators:
            raise DataError(f"le besoin observé {q(args.outcome)} n'a aucune valeur dans le tableau")
    indicators = tuple(i for i in table.indicators if i != outcome)
    weights = parse_weights(args.weights, indicators, columns)
    if not 0 <= args.spread < 100:
        raise DataError(f"variation des poids hors de 0 à 100 % : {num(args.spread)}")
    if args.cv in ("auto", "loo"):
        cv = args.cv
    elif args.cv.isdigit() and int(args.cv) >= 2:
        cv = int(args.cv)
    else:
        raise DataError(f"validation croisée inconnue : {q(args.cv)}", hint="Écrivez loo, auto ou un nombre de blocs (au moins 2).")
    with Stopwatch() as watch:
        run = analyse_territories(table, weights, method=args.method, top=args.top, draws=args.draws, spread=args.spread / 100,
                                  seed=args.seed, outcome=outcome, outcome_label=q(args.outcome) if args.outcome else None,
                                  use_fitted=args.use_fitted, cv=cv)
    index, robustness = run.index, run.robustness
    _warn(index.warnings)
    _say(f"Indice des besoins ({METHODS[args.method]}) sur {num(len(index.table))} territoires, données {filename}.")
    if run.table.unmapped:
        _say(f"{plural(run.table.unmapped, 'territoire')} hors de la Métropole du Grand Paris ou non communaux : classés sans carte "
             "(l'application n'a hors ligne que les contours des 130 communes de la métropole).")
    for indicator, sentence in run.table.sources.items():
        _say(f"  {indicator} : {sentence}")
    _say("Pondérations effectives : " + ", ".join(f"{indicator_label(i)} {pct(w, 0)}" for i, w in index.weights.items()))
    if index.explained_variance is not None:
        _say(f"Part de variance expliquée par la première composante : {pct(index.explained_variance, 0)}")
    frequency = robustness.table["top_frequency"]
    _say(f"\nLes {args.top} territoires aux besoins les plus élevés :")
    for key, row in index.top(args.top).iterrows():
        flag = "  (valeurs imputées : " + row["imputed"] + ")" if row.get("imputed") else ""
        _say(f"  {row['rank']:>3}. {row['label']:<32} indice {num(row['index'], 2):>7}   "
             f"dans le top {robustness.top} : {pct(frequency[key], 0)} des tirages{flag}")
    _say("\n" + plain(robustness.summary_fr()))
    if run.fit is not None:
        _warn(run.fit.warnings)
        _say("\n" + plain(run.fit.summary_fr()))
        for _, row in run.fit.comparison().iterrows():
            _say(f"  rho = {num(row['rho_spearman'], 2):>6}  {row['classement']}")
        _say("Poids appris (sur tous les territoires observés ; moyenne ± écart-type entre les plis) :")
        for _, row in run.fit.stability().iterrows():
            _say(f"  {row['indicateur']:<62} {pct(row['poids'], 0):>6}  ({pct(row['poids_moyen_plis'], 0)} ± {pct(row['ecart_type_plis'], 0)})")
    _say(f"Calcul : {num(watch.seconds, 2)} s.")
    if args.out:
        import json

        out = output_dir(args.out)
        (out / "indice_besoins.csv").write_bytes(to_csv_bytes(run.to_frame()))
        (out / "robustesse.csv").write_bytes(to_csv_bytes(robustness.to_frame()))
        written = ["indice_besoins.csv", "robustesse.csv"]
        if run.fit is not None:
            (out / "poids_appris.csv").write_bytes(to_csv_bytes(run.fit.stability()))
            (out / "comparaison_rho.csv").write_bytes(to_csv_bytes(run.fit.comparison()))
            written += ["poids_appris.csv", "comparaison_rho.csv"]
        outlines = load_outlines()
        if outlines is not None and bool(table.frame["mapped"].any()):
            (out / "indice_besoins.geojson").write_text(json.dumps(index.to_geojson(outlines), ensure_ascii=False), encoding="utf-8")
            written.append("indice_besoins.geojson")
        _say(f"Résultats écrits dans {out} : {', '.join(written)}.")
    return 0
