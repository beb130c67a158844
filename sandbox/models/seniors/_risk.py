"""The individual risk model: logistic regression or gradient boosting, calibrated, compared on held-out data."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from sandbox.data.errors import DataError
from sandbox.models.seniors._metrics import calibration_table, expected_calibration_error
from sandbox.models.seniors._persons import PersonEncoder, PersonTable
from sandbox.text import num, plural, q

MODEL_LABELS = {"logistic": "régression logistique", "boosting": "gradient boosting (arbres de décision)"}
CALIBRATIONS = ("sigmoid", "isotonic", "none")
MIN_ROWS = 100
MIN_PER_CLASS = 20
#: The boosting model is preferred only if its cross-validated AUC beats the logistic regression's by this much.
SIMPLER_MODEL_MARGIN = 0.005


def check_training_data(y, *, filename: str | None = None, column: str | None = None) -> None:
    """Raise a French DataError if *y* cannot train a classifier (one class, too few rows).

    Examples
    --------
    >>> from sandbox.text import plain
    >>> try:
    ...     check_training_data([True] * 150)
    ... except DataError as error:
    ...     print(plain(str(error))[:62])
    Le résultat ne prend qu'une seule valeur (« oui » pour les 150
    """
    y = np.asarray(y, dtype=bool)
    n, positives = len(y), int(y.sum())
    negatives = n - positives
    if n and (positives == 0 or negatives == 0):
        value = "oui" if positives else "non"
        raise DataError(
            f"le résultat ne prend qu'une seule valeur ({q(value)} pour les {plural(n, 'personne')}) : "
            "un modèle ne peut rien apprendre sans exemples des deux cas",
            filename=filename,
            column=column,
            hint="Vérifiez la colonne choisie comme résultat : il faut des personnes avec et sans l'événement.",
        )
    if n < MIN_ROWS or min(positives, negatives) < MIN_PER_CLASS:
        raise DataError(
            f"trop peu de lignes pour entraîner un modèle : {plural(n, 'personne')} dont {num(positives)} avec l'événement ; "
            f"il en faut au moins {MIN_ROWS}, dont {MIN_PER_CLASS} avec et {MIN_PER_CLASS} sans l'événement",
            filename=filename,
            column=column,
            hint="Ajoutez l'historique d'une autre année, ou utilisez le mode « territoire » (données agrégées).",
        )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class RiskModel(ClassifierMixin, BaseEstimator):
    """Probability that a person has the outcome within 12 months, calibrated.

    A scikit-learn classifier on the register's columns (a DataFrame with
    the ``PERSONS`` schema's names). The base model is a logistic regression
    (standardised features) or a histogram gradient boosting; its
    probabilities are then recalibrated on out-of-fold predictions
    (*cv*-fold cross-validation on the training data: the procedure of
    ``CalibratedClassifierCV(ensemble=False)``), and the base model is refit
    on all the training data.

    Parameters
    ----------
    method : {"logistic", "boosting"}
    calibration : {"sigmoid", "isotonic", "none"}
        Platt scaling (two parameters, robust on small registers), isotonic
        regression (flexible, needs a few thousand rows), or none.
    cv : int
        Folds for the out-of-fold predictions.
    features : sequence of str, optional
        Register columns to use (default: all of ``FEATURES`` present; sex
        and commune are left out unless named).
    random_state : int
    n_threads : int or None
        OpenMP threads for the boosting (1 by default: on a shared or busy
        machine, more threads than free cores slow it down several times;
        None uses every core).

    Attributes
    ----------
    pipeline_ : Pipeline
        Encoder and base model, fit on all the training data.
    calibrator_ : object or None
    oof_auc_ : float
        ROC AUC of the out-of-fold base predictions (used to choose a model
        without touching the held-out data).
    oof_proba_ : ndarray
        The calibrated out-of-fold probabilities.
    classes_ : ndarray
        ``[False, True]``.

    Examples
    --------
    >>> from sandbox.data.generators.seniors import make_register
    >>> from sandbox.data.schemas.seniors import PERSONS
    >>> from sandbox.data import validate
    >>> frame = validate(make_register(600, seed=5), PERSONS, errors="drop").frame
    >>> model = RiskModel("logistic", random_state=0).fit(frame, frame["outcome"].astype(bool))
    >>> proba = model.predict_proba(frame)[:, 1]
    >>> bool(0 < proba.min() < proba.max() < 1)
    True
    """

    def __init__(
        self,
        method: str = "logistic",
        calibration: str = "sigmoid",
        cv: int = 5,
        features: Sequence[str] | None = None,
        random_state: int = 0,
        n_threads: int | None = 1,
    ):
        self.method = method
        self.calibration = calibration
        self.cv = cv
        self.features = features
        self.random_state = random_state
        self.n_threads = n_threads

    def _threads(self):
        return threadpool_limits(limits=self.n_threads, user_api="openmp") if self.n_threads else nullcontext()

    def _base(self) -> Pipeline:
        if self.method == "logistic":
            model = LogisticRegression(C=1.0, max_iter=2000)
            return Pipeline([("encode", PersonEncoder(self.features)), ("scale", StandardScaler()), ("model", model)])
        if self.method == "boosting":
            model = HistGradientBoostingClassifier(
                learning_rate=0.06,
                max_iter=300,
                max_leaf_nodes=15,
                min_samples_leaf=40,
                l2_regularization=1.0,
                early_stopping=True,
                validation_fraction=0.15,
                n_iter_no_change=15,
                random_state=self.random_state,
            )
            return Pipeline([("encode", PersonEncoder(self.features)), ("model", model)])
        raise ValueError(f"unknown method {self.method!r}; use 'logistic' or 'boosting'")

    def fit(self, X: pd.DataFrame, y) -> "RiskModel":
        if self.calibration not in CALIBRATIONS:
            raise ValueError(f"unknown calibration {self.calibration!r}; use one of {CALIBRATIONS}")
        y = np.asarray(y, dtype=bool)
        check_training_data(y)
        base = self._base()
        folds = StratifiedKFold(n_splits=max(2, min(self.cv, int(y.sum()), int((~y).sum()))), shuffle=True, random_state=self.random_state)
        with self._threads():
            oof = cross_val_predict(base, X, y, cv=folds, method="predict_proba")[:, 1]
            self.pipeline_ = clone(base).fit(X, y)
        self.oof_auc_ = float(roc_auc_score(y, oof))
        if self.calibration == "sigmoid":
            self.calibrator_ = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(oof)[:, None], y)
        elif self.calibration == "isotonic":
            self.calibrator_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(oof, y)
        else:
            self.calibrator_ = None
        self.oof_proba_ = self._calibrate(oof)
        self.classes_ = np.array([False, True])
        return self

    def _calibrate(self, raw: np.ndarray) -> np.ndarray:
        if self.calibrator_ is None:
            return raw
        if isinstance(self.calibrator_, IsotonicRegression):
            return np.clip(self.calibrator_.predict(raw), 0.0, 1.0)
        return self.calibrator_.predict_proba(_logit(raw)[:, None])[:, 1]

    def raw_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of the base model before calibration."""
        check_is_fitted(self, "pipeline_")
        with self._threads():
            return self.pipeline_.predict_proba(X)[:, 1]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): column 1 is the risk."""
        p = self._calibrate(self.raw_proba(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(X)[:, 1] >= 0.5

    @property
    def label(self) -> str:
        return MODEL_LABELS.get(self.method, self.method)


@dataclass(frozen=True)
class ModelMetrics:
    """One model measured on the held-out people.

    Attributes
    ----------
    method, label : str
    auc : float
        ROC AUC on the held-out people (0,5 = chance, 1 = perfect ranking).
    brier : float
        Mean squared error of the probabilities (lower is better).
    log_loss : float
    ece : float
        Expected calibration error (10 equal-width bins).
    oof_auc : float
        Cross-validated AUC on the training people (what the choice rests on).
    calibration : DataFrame
        :func:`calibration_table` on the held-out people.
    fit_seconds : float
    """

    method: str
    label: str
    auc: float
    brier: float
    log_loss: float
    ece: float
    oof_auc: float
    calibration: pd.DataFrame
    fit_seconds: float


@dataclass(frozen=True)
class ModelComparison:
    """Logistic regression and gradient boosting trained on the same people, measured on the same held-out people.

    Attributes
    ----------
    models : mapping
        ``{method: fitted RiskModel}`` (trained on the training split only).
    metrics : tuple of ModelMetrics
    best : str
        The method chosen on the training data alone (cross-validated AUC;
        the logistic regression unless the boosting beats it by
        ``SIMPLER_MODEL_MARGIN``).
    train_index, test_index : Index
        Rows of the register (labels of ``PersonTable.frame``) in each split.
    y_test : ndarray of bool
    test_scores : mapping
        ``{method: calibrated probabilities of the held-out people}``.
    """

    models: Mapping[str, RiskModel]
    metrics: tuple[ModelMetrics, ...]
    best: str
    train_index: pd.Index
    test_index: pd.Index
    y_test: np.ndarray
    test_scores: Mapping[str, np.ndarray]

    @property
    def prevalence(self) -> float:
        return float(np.mean(self.y_test))

    def metric(self, method: str) -> ModelMetrics:
        return next(m for m in self.metrics if m.method == method)

    def to_frame(self) -> pd.DataFrame:
        """Comparison table with French column names."""
        return pd.DataFrame(
            {
                "modèle": [m.label for m in self.metrics],
                "AUC (test)": [round(m.auc, 3) for m in self.metrics],
                "AUC (validation croisée)": [round(m.oof_auc, 3) for m in self.metrics],
                "score de Brier": [round(m.brier, 4) for m in self.metrics],
                "erreur de calibration (ECE)": [round(m.ece, 3) for m in self.metrics],
                "apprentissage (s)": [round(m.fit_seconds, 2) for m in self.metrics],
                "retenu": ["oui" if m.method == self.best else "" for m in self.metrics],
            }
        )

    def calibration_frame(self) -> pd.DataFrame:
        """Long table for a reliability plot: ``model``, ``mean_predicted``, ``observed_rate``, ``count``."""
        parts = [m.calibration.assign(model=m.label) for m in self.metrics]
        return pd.concat(parts, ignore_index=True)


def compare_models(
    table: PersonTable,
    *,
    methods: Sequence[str] = ("logistic", "boosting"),
    calibration: str = "sigmoid",
    test_size: float = 0.25,
    features: Sequence[str] | None = None,
    max_train: int | None = None,
    seed: int = 0,
) -> ModelComparison:
    """Train each model on the same training people and measure them on the same held-out people.

    Parameters
    ----------
    table : PersonTable
        From :func:`prepare_persons`; only rows with a known outcome are used.
    methods : sequence of {"logistic", "boosting"}
    calibration : {"sigmoid", "isotonic", "none"}
    test_size : float
        Share of the labelled people held out (stratified on the outcome).
    features : sequence of str, optional
        Passed to :class:`RiskModel`.
    max_train : int, optional
        Train on a stratified sample of at most this many people (bounds the
        time on very large registers; everyone is still scored).
    seed : int
        Seeds the split, the folds and the boosting.

    Raises
    ------
    DataError
        No outcome column, one class only, or too few people.

    Examples
    --------
    >>> from sandbox.data.generators.seniors import make_register
    >>> from sandbox.data.schemas.seniors import PERSONS
    >>> from sandbox.data import validate
    >>> from sandbox.models.seniors import prepare_persons
    >>> table = prepare_persons(validate(make_register(1500, seed=8), PERSONS, errors="drop").frame)
    >>> comparison = compare_models(table, seed=0)
    >>> [m.method for m in comparison.metrics], comparison.best in ("logistic", "boosting")
    (['logistic', 'boosting'], True)
    """
    if "outcome" not in table.frame.columns or table.frame["outcome"].isna().all():
        raise DataError(
            "aucune colonne de résultat : indiquez quelle colonne dit si la personne a connu l'événement (oui/non)",
            filename=table.filename,
            hint="Sur la page : correspondance des colonnes, « résultat à prévoir » ; en ligne de commande : --outcome COLONNE.",
        )
    labelled = table.frame[table.labelled]
    y = labelled["outcome"].astype(bool).to_numpy()
    check_training_data(y, filename=table.filename)
    train_idx, test_idx = train_test_split(labelled.index, test_size=test_size, stratify=y, random_state=seed)
    y_train = labelled.loc[train_idx, "outcome"].astype(bool).to_numpy()
    if max_train is not None and len(train_idx) > max_train:
        train_idx, _ = train_test_split(train_idx, train_size=max_train, stratify=y_train, random_state=seed)
        y_train = labelled.loc[train_idx, "outcome"].astype(bool).to_numpy()
    y_test = labelled.loc[test_idx, "outcome"].astype(bool).to_numpy()
    check_training_data(y_train, filename=table.filename)
    models: dict[str, RiskModel] = {}
    metrics: list[ModelMetrics] = []
    scores: dict[str, np.ndarray] = {}
    for method in methods:
        start = time.perf_counter()
        model = RiskModel(method, calibration=calibration, features=features, random_state=seed).fit(labelled.loc[train_idx], y_train)
        seconds = time.perf_counter() - start
        p = model.predict_proba(labelled.loc[test_idx])[:, 1]
        auc = float(roc_auc_score(y_test, p)) if 0 < y_test.sum() < len(y_test) else float("nan")
        metrics.append(
            ModelMetrics(
                method=method,
                label=model.label,
                auc=auc,
                brier=float(brier_score_loss(y_test, p)),
                log_loss=float(log_loss(y_test, np.clip(p, 1e-6, 1 - 1e-6), labels=[False, True])),
                ece=expected_calibration_error(y_test, p),
                oof_auc=model.oof_auc_,
                calibration=calibration_table(y_test, p),
                fit_seconds=seconds,
            )
        )
        models[method] = model
        scores[method] = p
    best = methods[0]
    if "logistic" in models and "boosting" in models:
        gain = models["boosting"].oof_auc_ - models["logistic"].oof_auc_
        best = "boosting" if gain > SIMPLER_MODEL_MARGIN else "logistic"
    return ModelComparison(models, tuple(metrics), best, pd.Index(train_idx), pd.Index(test_idx), y_test, scores)
