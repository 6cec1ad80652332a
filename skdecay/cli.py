"""The ``skdecay`` command (also ``python -m skdecay``).

Three sub-commands:

``skdecay fit data.csv --target COL``
    Reads a CSV (``--sep``, ``--encoding``), decides what each column becomes
    (:mod:`skdecay._table`: index, ID-like and constant columns dropped,
    numbers written as text read, dates encoded, bounded one-hot encoding;
    one report line per decision), tunes ``alpha`` (and ``l1_ratio``) by
    cross-validation, estimates the score of the whole procedure by nested
    cross-validation of the pipeline (columns + selection), prints the table
    of the path (alpha, CV score +- std over the folds, nonzero features) and
    the selected features, then writes the path plot (PNG) and the fitted
    pipeline (``skops`` file).
``skdecay predict model.skops data.csv``
    Loads a pipeline written by ``fit`` (trusting only the known scikit-learn,
    numpy and skdecay types it needs) and writes its predictions as CSV.
``skdecay demo``
    ``fit`` on scikit-learn's bundled diabetes data, no arguments needed.

Task when ``--task``/``--model`` do not say: regression when the target is
numeric (not boolean) and either has non-integer values or more than
``MAX_CLASSES`` (10) distinct values; classification otherwise (printed, with
the reason).  Progress lines go to stderr (``--quiet`` silences them), results
to stdout.  Every user error ends with one line ``skdecay: error: ...`` on
stderr and exit code 2.

Needs the ``cli`` extra (pandas, matplotlib, skops): ``pip install "skdecay[cli]"``.
``skdecay --version`` prints the version.  numpy, pandas, matplotlib, skops,
scikit-learn and the estimators are imported inside the sub-commands, so
``--help`` and ``--version`` answer without loading them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    import numpy as np

__all__ = ["main", "MAX_CLASSES", "L1_RATIOS", "KNOWN_TYPES"]

#: A numeric integer-valued target with at most this many distinct values is a class label.
MAX_CLASSES = 10
#: Grid sizes: linear models (cheap paths) and ``--model mlp`` (one training per point and fold).
N_ALPHAS, N_ALPHAS_MLP = 20, 8
#: The ``l1_ratio`` values searched for ``--model elasticnet`` and ``logistic``.
L1_RATIOS = (0.1, 0.5, 0.9, 1.0)
_MODELS = ("elasticnet", "lasso", "ridge", "logistic", "mlp", "poisson", "gamma", "tweedie")
#: Log-link elastic nets (``ElasticNetRegressorCV(loss=...)``): counts, positive amounts.
_GLM = ("poisson", "gamma", "tweedie")
_REGRESSION_ONLY = ("elasticnet", "lasso", "ridge", *_GLM)
#: Tweedie's variance power when ``--power`` is not given.
DEFAULT_POWER = 1.5

#: Types besides skdecay's estimators that a pipeline written by ``skdecay fit``
#: may contain; ``predict`` trusts those of them that the file asks for, and
#: refuses a file that needs any other untrusted type.
KNOWN_TYPES = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.random.mtrand.RandomState",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.utils._bunch.Bunch",
        "skdecay._table.DateFeatures",
        "skdecay._table.ExposureModel",
        "skdecay._table.TextToNumber",
    }
)


class CLIError(Exception):
    """Bad input: reported as one line on stderr with exit code 2."""


# ---------------------------------------------------------------------------
# reading


def _file_error(name: str, exc: OSError) -> CLIError:
    """The one-line error for a file that cannot be opened."""
    if isinstance(exc, FileNotFoundError):
        why = "no such file"
    elif isinstance(exc, IsADirectoryError):
        why = "it is a directory"
    elif isinstance(exc, PermissionError):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return CLIError(f"cannot read {name!r}: {why}")


def _read_csv(path: str | os.PathLike, sep: str = ",", encoding: str = "utf-8"):
    """The CSV as a DataFrame; every reading problem is a :class:`CLIError`."""
    import pandas as pd

    name = str(path)

    def read(**kw):
        try:
            return pd.read_csv(path, sep=sep, encoding=encoding, **kw)
        except OSError as exc:
            raise _file_error(name, exc) from None
        except pd.errors.EmptyDataError:
            raise CLIError(f"{name!r} is empty") from None
        except LookupError:
            raise CLIError(f"unknown --encoding {encoding!r}") from None
        except UnicodeDecodeError:
            raise CLIError(
                f"cannot decode {name!r} as {encoding}: pass its encoding, e.g. --encoding latin-1"
            ) from None
        except (pd.errors.ParserError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CLIError(f"cannot parse {name!r} as CSV: {first}") from None

    header = [str(h) for h in read(header=None, nrows=1, dtype=str).iloc[0].fillna("")]
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen:
            raise CLIError(
                f"{name!r} has two columns named {h!r} (columns {seen[h] + 1} and {i + 1}); "
                "rename one"
            )
        seen[h] = i
    df = read()
    if df.shape[1] == 1:
        guess = next((s for s in (";", "\t", "|", ",") if s != sep and s in header[0]), None)
        if guess is not None:
            shown = "\\t" if guess == "\t" else guess
            raise CLIError(
                f"{name!r} was read as a single column {header[0][:40]!r}...: "
                f"its separator looks like {shown!r}; pass --sep '{shown}'"
            )
    if df.shape[0] == 0:
        raise CLIError(f"{name!r} has a header but no data rows")
    return df


def _is_numeric(series) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return is_numeric_dtype(series) and not is_bool_dtype(series)


def _target_kind(y, target: str, task: str) -> tuple[str, str]:
    """``(kind, report line)``: ``"regression"`` or ``"classification"`` and why."""
    import numpy as np

    n_values = y.nunique()
    if task != "auto":
        return task, f"target {target!r}: {task} (--task {task}; {n_values} distinct values)"
    if not _is_numeric(y):
        kind, why = "classification", f"{n_values} non-numeric values"
    else:
        values = np.asarray(y, dtype=np.float64)
        if np.any(values != np.round(values)):
            kind, why = "regression", "numbers with fractions"
        elif n_values > MAX_CLASSES:
            kind, why = "regression", f"{n_values} integer values"
        else:
            kind, why = "classification", f"{n_values} integer values"
    other = "regression" if kind == "classification" else "classification"
    if kind == "regression" or _is_numeric(y):
        hint = f"; pass --task {other} for {other}"
    else:
        hint = ""
    return kind, f"target {target!r}: treated as {kind} ({why}){hint}"


# scorers by the task they need (name prefixes, as scikit-learn spells them)
_CLASSIFICATION_SCORERS = (
    "accuracy", "balanced_accuracy", "top_k_accuracy", "average_precision", "neg_brier_score",
    "f1", "neg_log_loss", "precision", "recall", "jaccard", "roc_auc", "matthews_corrcoef",
    "positive_likelihood_ratio", "neg_negative_likelihood_ratio",
)  # fmt: skip
_REGRESSION_SCORERS = (
    "explained_variance", "r2", "max_error", "neg_max_error", "neg_median_absolute_error",
    "neg_mean_", "neg_root_mean", "d2_",
)  # fmt: skip


def _check_scoring(scoring: str | None, kind: str) -> str:
    if scoring is None:
        return "neg_log_loss" if kind == "classification" else "r2"
    from sklearn.metrics import get_scorer

    try:
        get_scorer(scoring)
    except ValueError:
        raise CLIError(f"unknown --scoring {scoring!r} (a scikit-learn scorer name)") from None
    wrong = _REGRESSION_SCORERS if kind == "classification" else _CLASSIFICATION_SCORERS
    if scoring.startswith(wrong):
        other = "regression" if kind == "classification" else "classification"
        raise CLIError(
            f"--scoring {scoring} is a {other} score, but the target is treated as {kind} "
            "(see --task)"
        )
    return scoring


def _looks_like_counts(y) -> bool:
    """Non-negative integer values (not boolean), some of them positive."""
    import numpy as np

    if not _is_numeric(y):
        return False
    values = np.asarray(y, dtype=np.float64)
    values = values[np.isfinite(values)]
    return bool(
        values.size and np.all(values >= 0) and np.all(values == np.round(values)) and values.any()
    )


def _check_glm_options(model, power, exposure, offset_column, target, columns, drop):
    """Validate ``--power``, ``--exposure`` and ``--offset``; returns Tweedie's power
    (``DEFAULT_POWER`` when not given; ``None`` for the other models)."""
    from .losses import get_loss

    if power is not None and model != "tweedie":
        raise CLIError("--power is the Tweedie variance power: it needs --model tweedie")
    if model == "tweedie":
        power = DEFAULT_POWER if power is None else power
        try:
            get_loss("tweedie", power=power)
        except ValueError as exc:
            raise CLIError(f"--power {power:g}: {exc}") from None
    column = exposure if exposure is not None else offset_column
    if column is None:
        return power
    flag = "--exposure" if exposure is not None else "--offset"
    if model not in _GLM:
        raise CLIError(
            f"{flag} needs a log-link model: --model poisson, gamma or tweedie"
            + ("" if model is None else f" (not {model})")
        )
    if column == target:
        raise CLIError(f"{flag} names the target {target!r}")
    if column not in columns:
        raise CLIError(f"{flag}: no column {column!r} in the file")
    if column in drop:
        raise CLIError(f"{flag} column {column!r} is also in --drop")
    return power


def _check_glm_target(y, target: str, model: str, power) -> None:
    """A clear error when the target is outside the loss's range (the loss table says)."""
    import numpy as np

    from .losses import get_loss

    try:
        get_loss(model, power=power).check_y(y)
    except ValueError as exc:
        bad = y <= 0 if model == "gamma" else y < 0
        if np.any(bad):
            what = "positive amounts" if model == "gamma" else "non-negative values (counts)"
            kind = "zero or negative" if model == "gamma" else "negative"
            raise CLIError(
                f"target {target!r} has {int(bad.sum())} {kind} value(s) (e.g. "
                f"{y[bad][0]:g}): --model {model} needs {what}"
            ) from None
        raise CLIError(f"target {target!r}: {exc} (--model {model})") from None


# ---------------------------------------------------------------------------
# tuning: one selection estimator, cross-validated as a whole


@dataclass
class _Tuned:
    """The selection on all rows: the table, the final model and its path."""

    estimator: Any
    alphas: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    nonzero: np.ndarray
    path: Any  # RegularizationPath: coefs (n_alphas, [K,] n_features) for the plot
    best: int
    l1_ratio: float | None
    value_name: str = "coefficient on standardized features"
    notes: list[str] = field(default_factory=list)


def _feature_nonzero(coefs: np.ndarray) -> np.ndarray:
    """Features with a nonzero coefficient per alpha, from coefficients ``(n_alphas, [K,] p)``."""
    import numpy as np

    if coefs.ndim == 3:
        return np.count_nonzero(np.any(coefs != 0, axis=1), axis=1)
    return np.count_nonzero(coefs, axis=1)


def _mlp(kind: str, seed: int):
    """The MLP of ``--model mlp``: one hidden layer of 32 units, early stopping."""
    from .neural_network import ElasticNetMLPClassifier, ElasticNetMLPRegressor

    cls = ElasticNetMLPClassifier if kind == "classification" else ElasticNetMLPRegressor
    return cls(
        hidden_layer_sizes=(32,),
        l1_ratio=0.5,
        learning_rate_init=1e-2,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=10,
        random_state=seed,
    )


def _grid(model: str, n_alphas: int, n_rows: int) -> np.ndarray:
    import numpy as np

    if model == "ridge":  # sum-of-squares convention: alpha / n is the mean-loss penalty
        return n_rows * np.logspace(1, -4, n_alphas)
    return np.logspace(0, -4, n_alphas)  # mlp: alpha = 1 already silences most inputs


def _loss_params(model: str, power: float | None) -> dict:
    """The ``loss=`` (and Tweedie's ``power=``) of the regressors for ``--model``."""
    if model not in _GLM:
        return {}
    return {"loss": model, "power": power} if model == "tweedie" else {"loss": model}


def _deviance_name(model: str, power: float | None) -> str:
    if model == "tweedie":
        return f"Tweedie deviance (power={power:g})"
    return {"poisson": "Poisson deviance", "gamma": "Gamma deviance"}.get(model, "squared error")


def _selector(
    kind: str,
    model: str,
    n_alphas: int,
    cv,
    scoring: str | None,
    seed: int,
    n_rows: int,
    power: float | None = None,
):
    """The estimator that chooses ``alpha`` (and ``l1_ratio``) by CV on the rows it is given."""
    from sklearn.model_selection import GridSearchCV

    from .linear_model import RidgeRegressor
    from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV

    if model in _GLM:  # scoring None: the estimator's own, the held-out mean deviance
        return ElasticNetRegressorCV(
            l1_ratio=list(L1_RATIOS),
            alphas=n_alphas,
            cv=cv,
            scoring=scoring,
            **_loss_params(model, power),
        )
    if model in ("elasticnet", "lasso", "logistic"):
        cls = ElasticNetClassifierCV if kind == "classification" else ElasticNetRegressorCV
        ratios = 1.0 if model == "lasso" else list(L1_RATIOS)
        return cls(l1_ratio=ratios, alphas=n_alphas, cv=cv, scoring=scoring)
    base = RidgeRegressor() if model == "ridge" else _mlp(kind, seed)
    grid = {"alpha": list(_grid(model, n_alphas, n_rows))}
    return GridSearchCV(base, grid, cv=cv, scoring=scoring)


def _pipeline(pre, selector):
    from sklearn.pipeline import Pipeline

    return Pipeline([("preprocess", pre), ("model", selector)])


def _fit_pipeline(pre, selector, X, y, offset=None):
    """``Pipeline([pre, selector]).fit(X, y)``, the offset (if any) passed to the model's
    ``fit`` (the preprocessing never sees it: no metadata routing needed)."""
    if offset is None:
        return _pipeline(pre, selector).fit(X, y)
    Xt = pre.fit_transform(X)
    selector.fit(Xt, y, offset=offset)
    return _pipeline(pre, selector)


def _finish_linear(
    search, Xt, y, kind: str, model: str, power: float | None = None, offset=None
) -> _Tuned:
    """Table, refit and path of a fitted ``ElasticNet*CV`` selector."""
    import numpy as np

    from .linear_model import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor
    from .path import enet_path, logistic_path

    ratios = np.atleast_1d(np.asarray(search.l1_ratio, dtype=np.float64))
    i = int(np.flatnonzero(ratios == search.l1_ratio_)[0])
    alphas = np.asarray(search.alphas_, dtype=np.float64)
    alphas = alphas[i] if alphas.ndim == 2 else alphas
    scores = search.scores_path_[i]  # (n_alphas, n_folds)
    best = int(np.flatnonzero(alphas == search.alpha_)[0])
    ratio = float(search.l1_ratio_)
    if kind == "classification":
        final = ElasticNetClassifier(alpha=search.alpha_, l1_ratio=ratio).fit(Xt, y)
        path = logistic_path(Xt, y, l1_ratio=ratio, alphas=alphas)
    else:
        loss = _loss_params(model, power)
        glm = {"offset": offset} if offset is not None else {}
        if model == "lasso":
            final = LassoRegressor(alpha=search.alpha_).fit(Xt, y)
        else:
            final = ElasticNetRegressor(alpha=search.alpha_, l1_ratio=ratio, **loss)
            final.fit(Xt, y, **glm)
        path = enet_path(Xt, y, l1_ratio=ratio, alphas=alphas, **loss, **glm)
    coefs = np.array(path.coefs, dtype=np.float64)
    # the starred row is the model that is saved, so its count and the selected features agree
    coefs[best] = np.asarray(final.coef_, dtype=np.float64).reshape(coefs[best].shape)
    if coefs.ndim == 3 and coefs.shape[1] == 1:
        coefs = coefs[:, 0, :]
    path = path._replace(coefs=coefs)
    value_name = "coefficient on standardized features"
    if model in _GLM:
        value_name += " (log-mean scale)"
    return _Tuned(
        final, alphas, scores.mean(axis=1), scores.std(axis=1), _feature_nonzero(coefs), path,
        best, ratio, value_name,
    )  # fmt: skip


def _finish_grid(search, Xt, y, model: str) -> _Tuned:
    """Table, refits along the grid and path of a fitted ``GridSearchCV`` selector."""
    import numpy as np
    from sklearn.base import clone

    from .path import RegularizationPath

    alphas = np.asarray(search.param_grid["alpha"], dtype=np.float64)
    res = search.cv_results_
    best = int(search.best_index_)
    fits = [
        search.best_estimator_
        if k == best
        else clone(search.estimator).set_params(alpha=a).fit(Xt, y)
        for k, a in enumerate(alphas)
    ]
    notes = []
    if model == "ridge":
        coefs = np.array([f.coef_ for f in fits])
        value_name = "coefficient on standardized features"
    else:
        # an input's importance: the norm of its outgoing first-layer weights
        coefs = np.array([np.linalg.norm(f.coefs_[0], axis=1) for f in fits])
        value_name = "norm of the input's first-layer weights"
        stopped = [f.n_iter_ for f in fits]
        notes.append(
            f"mlp: one hidden layer of 32 units, l1_ratio=0.5, Adam, early stopping on 15% of "
            f"the rows; {min(stopped)}-{max(stopped)} epochs along the grid (max 200). The plot "
            "shows each input's first-layer weight norm; 'nonzero' counts inputs in use"
        )
    nonzero = np.count_nonzero(coefs, axis=1)
    path = RegularizationPath(
        alphas,
        coefs,
        np.zeros(alphas.size),
        np.full(alphas.size, np.nan),
        np.zeros(alphas.size, int),
    )
    return _Tuned(
        fits[best], alphas, np.asarray(res["mean_test_score"]), np.asarray(res["std_test_score"]),
        nonzero, path, best, None, value_name, notes,
    )  # fmt: skip


def _deviance_scores(y, mu, power: float) -> tuple[float, float]:
    """``(D², mean deviance)`` of the means ``mu`` (Tweedie deviance of ``power``)."""
    from sklearn.metrics import d2_tweedie_score, mean_tweedie_deviance

    return d2_tweedie_score(y, mu, power=power), mean_tweedie_deviance(y, mu, power=power)


def _nested_scores(
    X, y, pre, selector, outer, scoring: str | None, log, power=None, offset=None
) -> np.ndarray:
    """Held-out score of the whole pipeline (preprocessing + selection) on each outer fold.

    The same numbers as ``cross_val_score(Pipeline([pre, selector]), X, y,
    cv=outer, scoring=scoring)``, with one progress line per fold.  With
    ``power`` (the log-link models, ``scoring=None``): ``(D², mean deviance)``
    of the held-out means (offset included) per fold, shape ``(n_folds, 2)``.
    """
    import numpy as np
    from sklearn.base import clone
    from sklearn.metrics import get_scorer

    scorer = get_scorer(scoring) if scoring is not None else None
    scores = []
    folds = list(outer.split(X, y))
    for k, (train, test) in enumerate(folds):
        t0 = time.perf_counter()
        off = None if offset is None else offset[train]
        est = _fit_pipeline(clone(pre), clone(selector), X.iloc[train], y[train], off)
        if scorer is not None:
            scores.append(scorer(est, X.iloc[test], y[test]))
            shown = f"{scoring}={scores[-1]:.4f}"
        else:
            mu = est.predict(X.iloc[test]) * (1.0 if offset is None else np.exp(offset[test]))
            scores.append(_deviance_scores(y[test], mu, power))
            shown = f"D²={scores[-1][0]:.4f}, mean deviance={scores[-1][1]:.4g}"
        chosen = est[-1]
        alpha = getattr(chosen, "alpha_", None) or chosen.best_params_["alpha"]
        ratio = getattr(chosen, "l1_ratio_", None)
        where = f"alpha={alpha:.4g}" + ("" if ratio is None else f", l1_ratio={ratio:g}")
        log(
            f"  outer fold {k + 1}/{len(folds)}: {shown} "
            f"(selected {where}; {time.perf_counter() - t0:.1f} s)"
        )
    return np.asarray(scores, dtype=np.float64)


# ---------------------------------------------------------------------------
# output


def _selected_features(estimator, names: np.ndarray) -> np.ndarray:
    import numpy as np

    if hasattr(estimator, "coefs_"):
        keep = np.ones(names.size, dtype=bool)
        keep[estimator.inactive_features_] = False
        return names[keep]
    coef = np.asarray(estimator.coef_)
    mask = np.any(coef != 0, axis=0) if coef.ndim == 2 else coef != 0
    return names[mask]


def _print_table(tuned: _Tuned, scoring: str, out) -> None:
    w = max(14, len(scoring) + 4)
    print(f"{'':2}{'alpha':>11} {'CV ' + scoring:>{w}} {'± std':>8} {'nonzero':>8}", file=out)
    for i, a in enumerate(tuned.alphas):
        mark = "*" if i == tuned.best else " "
        print(
            f"{mark:2}{a:11.4g} {tuned.mean[i]:{w}.4f} {tuned.std[i]:8.4f} {tuned.nonzero[i]:8d}",
            file=out,
        )


def _edge_note(tuned: _Tuned) -> str | None:
    """A warning when the selected alpha is the first or last point of the grid."""
    if tuned.alphas.size < 3:
        return None
    a = f"{tuned.alphas[tuned.best]:.4g}"
    if tuned.best == 0:
        if tuned.l1_ratio is not None:
            return (
                f"warning: the selected alpha={a} is the largest on the grid (alpha_max: every "
                "coefficient is zero): no feature improves the CV score over a constant model"
            )
        return f"warning: the selected alpha={a} is the largest on the grid; a larger one may win"
    if tuned.best == tuned.alphas.size - 1:
        return (
            f"warning: the selected alpha={a} is the smallest on the grid; the best may lie "
            "below it (little penalty helps here)"
        )
    return None


def _write_plot(
    tuned: _Tuned, names, title: str, path: Path, ridge: bool = False, groups=None
) -> None:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # no display needed; leaves an interactive session alone
    import matplotlib.pyplot as plt

    from .plotting import RegularizationPathDisplay

    display = RegularizationPathDisplay.from_path(
        tuned.path,
        feature_names=list(names),
        selected_alpha=float(tuned.alphas[tuned.best]),
        name=title,
        l1_ratio=0.0 if ridge else tuned.l1_ratio,
        value_name=tuned.value_name,
        class_names=[str(c) for c in getattr(tuned.estimator, "classes_", [])] or None,
        groups=groups,
    )
    display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)


def _fit_frame(
    df,
    target: str,
    *,
    model: str | None,
    cv: int,
    n_alphas: int,
    seed: int,
    out: Path,
    plot: Path,
    scoring: str | None = None,
    quiet: bool = False,
    source: str = "data",
    drop: tuple[str, ...] = (),
    task: str = "auto",
    nested: bool = True,
    power: float | None = None,
    exposure: str | None = None,
    offset_column: str | None = None,
) -> int:
    """The ``fit`` pipeline on a DataFrame (shared by ``fit`` and ``demo``)."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold

    from ._table import (
        ExposureModel,
        build_preprocessor,
        feature_groups,
        offset_from_column,
        plan_columns,
    )
    from .linear_model import deviance_power

    def log(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    if target not in df.columns:
        raise CLIError(
            f"target column {target!r} not found; columns are: {', '.join(map(str, df.columns))}"
        )
    unknown = [c for c in drop if c not in df.columns]
    if unknown:
        raise CLIError(f"--drop: no column {', '.join(map(repr, unknown))} in the file")
    if target in drop:
        raise CLIError(f"--drop names the target {target!r}")
    power = _check_glm_options(model, power, exposure, offset_column, target, df.columns, drop)
    report = []
    missing_target = int(df[target].isna().sum())
    if missing_target:
        report.append(f"target {target!r}: {missing_target} rows without a value dropped")
    df = df[df[target].notna()].reset_index(drop=True)
    if df.shape[0] < 2 * cv:
        raise CLIError(f"{df.shape[0]} rows with a target value: too few for {cv}-fold CV")
    y_raw, X = df[target], df.drop(columns=[target])
    offset = None
    column = exposure if exposure is not None else offset_column
    if column is not None:  # the offset's column is not a feature
        try:
            offset = offset_from_column(X[column], column, log=exposure is not None)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        X = X.drop(columns=[column])
        report.append(
            f"exposure {column!r}: log({column}) is every row's offset, not a feature"
            if exposure is not None
            else f"offset {column!r}: added to every row's linear predictor, not a feature"
        )
    if X.shape[1] == 0:
        raise CLIError("no feature columns besides the target")

    if model in _REGRESSION_ONLY and task == "classification":
        raise CLIError(f"--model {model} is a regression model, but --task classification")
    if model == "logistic" and task == "regression":
        raise CLIError("--model logistic is a classifier, but --task regression")
    if model in _REGRESSION_ONLY and task == "auto":
        task = "regression"
    kind, kind_line = _target_kind(y_raw, target, task)
    chosen = model is None
    if model is None:
        model = "elasticnet" if kind == "regression" else "logistic"
    elif model in _REGRESSION_ONLY and not _is_numeric(y_raw):
        raise CLIError(
            f"--model {model} needs a numeric target, but {target!r} is {y_raw.dtype} "
            "(use --model logistic or mlp)"
        )
    elif model == "logistic" and kind == "regression":
        raise CLIError(
            f"--model logistic needs class labels, but {target!r} looks continuous "
            f"(non-integer values or more than {MAX_CLASSES} distinct values; --task "
            "classification to insist)"
        )
    report.append(kind_line)
    if chosen and kind == "regression" and _looks_like_counts(y_raw):
        report.append(
            f"target {target!r}: non-negative integers (counts?): --model poisson fits a "
            "log-link elastic net, scored by the Poisson deviance"
        )
    if model in _GLM and scoring is not None and offset is not None:
        raise CLIError(
            "--scoring cannot be combined with --exposure/--offset (a scikit-learn scorer "
            "does not see the offset); leave it out to score by the mean deviance"
        )
    scoring = None if model in _GLM and scoring is None else _check_scoring(scoring, kind)
    if kind == "classification":
        y = np.asarray(y_raw.astype(str)) if not _is_numeric(y_raw) else y_raw.to_numpy()
        labels, counts = np.unique(y, return_counts=True)
        if counts.size < 2:
            raise CLIError(f"target {target!r} has a single class")
        if counts.min() < cv:
            hint = (
                f"; pass --task regression if {target!r} is a quantity"
                if _is_numeric(y_raw)
                else ""
            )
            raise CLIError(
                f"class {str(labels[np.argmin(counts)])!r} of {target!r} has {counts.min()} "
                f"row(s): "
                f"too few for {cv}-fold CV{hint}"
            )
        splitter = StratifiedKFold(cv, shuffle=True, random_state=seed)
    else:
        y = y_raw.to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise CLIError(f"target {target!r} has infinite values")
        if model in _GLM:
            _check_glm_target(y, target, model, power)
        splitter = KFold(cv, shuffle=True, random_state=seed)

    try:
        X, plan = plan_columns(X, drop)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    report += plan.decisions
    X = X.drop(columns=plan.dropped)
    if X.shape[1] == 0:
        raise CLIError("no feature columns left after dropping the columns listed above")

    t0 = time.perf_counter()
    pre = build_preprocessor(plan)
    selector = _selector(kind, model, n_alphas, splitter, scoring, seed, X.shape[0], power)
    deviance = None
    if model in _GLM and scoring is None:  # held-out D² and mean deviance of the nested CV
        deviance = deviance_power(model, DEFAULT_POWER if power is None else power)
    log(
        f"skdecay fit: {source}: {X.shape[0]} rows, {X.shape[1]} columns; target {target!r} "
        f"({kind}); model {model}; {cv}-fold CV, {n_alphas} alphas"
        + (f"; nested over {cv} outer folds" if nested else "")
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            nested_scores = (
                _nested_scores(
                    X, y, pre, selector, splitter, scoring, log, power=deviance, offset=offset
                )
                if nested
                else None
            )
            t1 = time.perf_counter()
            search = _fit_pipeline(pre, selector, X, y, offset)
            Xt = np.asarray(search[0].transform(X), dtype=np.float64)
            if model in ("ridge", "mlp"):
                tuned = _finish_grid(search[-1], Xt, y, model)
            else:
                tuned = _finish_linear(search[-1], Xt, y, kind, model, power, offset)
        except ValueError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CLIError(f"tuning failed: {first}") from None
        log(f"  selection on all {X.shape[0]} rows ({time.perf_counter() - t1:.1f} s)")
    unconverged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning) and not issubclass(
            w.category, UserWarning
        ):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if unconverged:
        log(f"  note: {len(unconverged)} ConvergenceWarning(s) during tuning (max_iter reached)")
    pre = search[0]
    names = np.asarray(pre.get_feature_names_out(), dtype=object)
    final = tuned.estimator
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline([("preprocess", pre), ("model", final)])
    if column is not None:
        pipeline = ExposureModel(pipeline, column, log=exposure is not None)

    import skops.io as sio

    sio.dump(pipeline, out)
    title = f"{model} on {source}"
    if model == "mlp":
        title += ": first-layer weight norm of each input, one fit per alpha"
    groups = feature_groups(pre)
    groups = groups if len(groups) == names.size else None
    _write_plot(tuned, names, title, plot, ridge=model == "ridge", groups=groups)
    seconds = time.perf_counter() - t0

    stdout = sys.stdout
    print(
        f"{source}: {X.shape[0]} rows, {X.shape[1]} columns -> {names.size} features", file=stdout
    )
    for line in report:
        print(f"  {line}", file=stdout)
    ratio = "" if tuned.l1_ratio is None else f", l1_ratio={tuned.l1_ratio:g}"
    where = "" if tuned.l1_ratio is None else f" at l1_ratio={tuned.l1_ratio:g}"
    chose = "alpha" if tuned.l1_ratio is None or model == "lasso" else "alpha and l1_ratio"
    print(
        f"{model} ({type(final).__name__}): {chose} chosen by {cv}-fold CV on all "
        f"{X.shape[0]} rows{where}:",
        file=stdout,
    )
    # scoring None (the log-link models): the estimator's default, minus the mean deviance
    label = scoring if scoring is not None else f"neg. mean {_deviance_name(model, power)}"
    _print_table(tuned, label, stdout)
    b = tuned.best
    n_settings = tuned.alphas.size * (1 if chose == "alpha" else len(L1_RATIOS))
    print(
        f"selected: alpha={tuned.alphas[b]:.4g}{ratio} "
        f"(CV {label} of this setting {tuned.mean[b]:.4f} ± {tuned.std[b]:.4f}: the best of "
        f"{n_settings} settings, optimistic)",
        file=stdout,
    )
    edge = _edge_note(tuned)
    if edge:
        print(edge, file=stdout)
    if nested_scores is not None and nested_scores.ndim == 2:
        d2, dev = nested_scores[:, 0], nested_scores[:, 1]
        print(
            f"estimated held-out scores of the whole procedure (nested CV: preprocessing and the "
            f"choice of alpha and l1_ratio redone on each of {cv} outer training folds"
            f"{', offsets included' if offset is not None else ''}):\n"
            f"  D² (deviance explained) {d2.mean():.4f} ± {d2.std():.4f}\n"
            f"  mean {_deviance_name(model, power)} {dev.mean():.4g} ± {dev.std():.4g}",
            file=stdout,
        )
    elif nested_scores is not None:
        print(
            f"estimated {scoring} of the whole procedure: {nested_scores.mean():.4f} ± "
            f"{nested_scores.std():.4f} (nested CV: preprocessing and the choice of alpha"
            f"{'' if tuned.l1_ratio is None else ' and l1_ratio'} redone on each of {cv} outer "
            f"training folds, scored on its held-out fold)",
            file=stdout,
        )
    else:
        print(
            "no nested estimate (--no-nested): the CV score above is the best of several "
            "settings, an optimistic estimate",
            file=stdout,
        )
    kept = _selected_features(final, names)
    print(f"selected features ({kept.size}/{names.size}): {', '.join(map(str, kept))}", file=stdout)
    for note in tuned.notes:
        print(note, file=stdout)
    print(f"model written to {out}", file=stdout)
    print(f"path plot written to {plot}", file=stdout)
    log(f"done in {seconds:.1f} s")
    return 0


# ---------------------------------------------------------------------------
# sub-commands


def _cmd_fit(args: argparse.Namespace) -> int:
    df = _read_csv(args.data, sep=args.sep, encoding=args.encoding)
    out = Path(args.out) if args.out else Path("model.skops")
    if args.plot:
        plot = Path(args.plot)
    elif args.out:
        plot = out.with_name(out.stem + "_path.png")
    else:
        plot = Path("skdecay_path.png")
    return _fit_frame(
        df,
        args.target,
        model=args.model,
        cv=args.cv,
        n_alphas=args.n_alphas,
        seed=args.seed,
        out=out,
        plot=plot,
        scoring=args.scoring,
        quiet=args.quiet,
        source=Path(args.data).name,
        drop=tuple(args.drop),
        task=args.task,
        nested=args.nested,
        power=args.power,
        exposure=args.exposure,
        offset_column=args.offset,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    import pandas as pd
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    df = pd.DataFrame(data.data, columns=data.feature_names)
    df["progression"] = data.target
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _fit_frame(
        df,
        "progression",
        model=None,
        cv=args.cv,
        n_alphas=args.n_alphas,
        seed=args.seed,
        out=out_dir / "diabetes.skops",
        plot=out_dir / "diabetes_path.png",
        quiet=args.quiet,
        source="diabetes",
        nested=args.nested,
    )


def load_model(path: str | os.PathLike):
    """Load a pipeline written by ``skdecay fit``, trusting only known types.

    The untrusted types the file asks for must all be skdecay estimators
    (:func:`skdecay.trusted_types`) or in :data:`KNOWN_TYPES`; otherwise
    :class:`CLIError` is raised and nothing is loaded.  A damaged file is a
    :class:`CLIError` too.
    """
    import skops.io as sio

    from .persistence import (
        InconsistentVersionWarning,
        running_version,
        trusted_types,
        version_skew,
    )

    name = str(path)
    allowed = set(trusted_types()) | KNOWN_TYPES
    try:
        needed = sio.get_untrusted_types(file=path)
    except OSError as exc:
        raise _file_error(name, exc) from None
    except Exception as exc:  # zip or schema errors: not a skops file
        raise CLIError(f"{name!r} is not a skops model file ({type(exc).__name__})") from None
    unknown = sorted(set(needed) - allowed)
    if unknown:
        raise CLIError(f"refusing to load {name!r}: untrusted types {', '.join(unknown)}")
    try:
        with warnings.catch_warnings():  # reported once below, in the command's words
            warnings.simplefilter("ignore", InconsistentVersionWarning)
            model = sio.load(path, trusted=list(needed))
    except Exception as exc:  # a damaged archive: truncated, bad CRC, broken schema
        raise CLIError(f"{name!r} is damaged and cannot be loaded ({type(exc).__name__})") from None
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{name!r} holds a {type(model).__name__}, not a model written by skdecay fit"
        )
    for what, saved in version_skew(model):
        print(
            f"skdecay: warning: {what} in {name!r} was saved by skdecay {saved}; "
            f"this is skdecay {running_version()}. Refit it if predictions look wrong.",
            file=sys.stderr,
        )
    return model


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    model = load_model(args.model)
    df = _read_csv(args.data, sep=args.sep, encoding=args.encoding)
    columns = list(getattr(model, "feature_names_in_", df.columns))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CLIError(f"{args.data!r} lacks the model's columns: {', '.join(map(str, missing))}")
    X = df[columns]
    try:
        result = pd.DataFrame({"prediction": model.predict(X)}, index=df.index)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X)
            for k, label in enumerate(model.classes_):
                result[f"proba_{label}"] = proba[:, k]
    except (ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot predict on {args.data!r}: {first}") from None
    if args.out:
        result.to_csv(args.out, index=False)
        print(f"{len(result)} predictions written to {args.out}", file=sys.stderr)
    else:
        try:
            result.to_csv(sys.stdout, index=False)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `skdecay predict ... | head`: the reader stopped
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python exits
            os.close(devnull)
    return 0


# ---------------------------------------------------------------------------
# entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skdecay",
        description="Cross-validated elastic net, lasso, ridge, logistic and MLP models on CSVs.",
    )
    parser.add_argument("--version", action="version", version=f"skdecay {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def tuning(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cv", type=int, default=5, help="number of CV folds (default 5)")
        p.add_argument(
            "--n-alphas",
            type=int,
            default=None,
            help=f"alphas on the grid (default {N_ALPHAS}; {N_ALPHAS_MLP} for --model mlp)",
        )
        p.add_argument("--seed", type=int, default=0, help="seed of the folds and the MLP (0)")
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
        p.add_argument(
            "--nested",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="estimate the score of the whole procedure by nested CV (default: yes; "
            "--no-nested is about cv+1 times faster)",
        )

    def reading(p: argparse.ArgumentParser) -> None:
        p.add_argument("--sep", default=",", help="field separator of the CSV (default ,)")
        p.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")

    fit = sub.add_parser("fit", help="tune and fit a model on a CSV file")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument(
        "--model",
        choices=_MODELS,
        default=None,
        help="default: elasticnet for a numeric target with non-integer values or more "
        f"than {MAX_CLASSES} distinct values, logistic otherwise; poisson (counts), gamma "
        "(positive amounts) and tweedie (non-negative amounts with zeros) are log-link "
        "elastic nets",
    )
    fit.add_argument(
        "--power",
        type=float,
        default=None,
        help=f"Tweedie variance power, 1 < power < 2 (--model tweedie; default {DEFAULT_POWER})",
    )
    offsets = fit.add_mutually_exclusive_group()
    offsets.add_argument(
        "--exposure",
        default=None,
        metavar="COL",
        help="column of positive exposures (time, policy years): log(COL) is the offset, so "
        "the model fits rates per unit of exposure (log-link models; not a feature)",
    )
    offsets.add_argument(
        "--offset",
        default=None,
        metavar="COL",
        help="column added as is to the linear predictor (log-link models; not a feature)",
    )
    fit.add_argument("--out", default=None, help="model file (default model.skops)")
    fit.add_argument(
        "--plot",
        default=None,
        help="path plot PNG (default <out stem>_path.png, or skdecay_path.png without --out)",
    )
    fit.add_argument(
        "--scoring",
        default=None,
        help="scikit-learn scorer (default r2 for regression, neg_log_loss for classes, "
        "the mean deviance for poisson/gamma/tweedie)",
    )
    fit.add_argument(
        "--task",
        choices=("auto", "regression", "classification"),
        default="auto",
        help="override the target kind (auto: see --model)",
    )
    fit.add_argument("--drop", nargs="+", default=[], metavar="COL", help="columns to leave out")
    reading(fit)
    tuning(fit)
    fit.set_defaults(func=_cmd_fit)

    pred = sub.add_parser("predict", help="predict with a model written by `skdecay fit`")
    pred.add_argument("model", help="model file (.skops)")
    pred.add_argument("data", help="CSV file with the model's feature columns")
    pred.add_argument("--out", default=None, help="predictions CSV (default: stdout)")
    reading(pred)
    pred.set_defaults(func=_cmd_predict)

    demo = sub.add_parser("demo", help="fit on scikit-learn's diabetes data")
    demo.add_argument("--out-dir", default=".", help="where the PNG and model go (default .)")
    tuning(demo)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``skdecay ...``; returns the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input (with one ``skdecay: error: ...`` line on stderr).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "cv", 2) < 2:
        parser.error("--cv must be at least 2")
    if getattr(args, "n_alphas", None) is None and hasattr(args, "n_alphas"):
        args.n_alphas = N_ALPHAS_MLP if getattr(args, "model", None) == "mlp" else N_ALPHAS
    if getattr(args, "n_alphas", 1) < 1:
        parser.error("--n-alphas must be at least 1")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"skdecay: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(
            f"skdecay: error: {exc.name or exc} is needed: pip install 'skdecay[cli]'",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
