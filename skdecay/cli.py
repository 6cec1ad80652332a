"""The ``skdecay`` command (also ``python -m skdecay``).

Three sub-commands:

``skdecay fit data.csv --target COL``
    Reads a CSV, preprocesses its columns (numeric: median imputation then
    ``StandardScaler``; categorical: most-frequent imputation then
    ``OneHotEncoder(handle_unknown="ignore")``), tunes ``alpha`` (and
    ``l1_ratio``) by cross-validation, prints the table of the path (alpha,
    CV score +- std over the folds, nonzero coefficients) and the selected
    features, then writes the path plot (PNG) and the fitted pipeline
    (``skops`` file).
``skdecay predict model.skops data.csv``
    Loads a pipeline written by ``fit`` (trusting only the known scikit-learn,
    numpy and skdecay types it needs) and writes its predictions as CSV.
``skdecay demo``
    ``fit`` on scikit-learn's bundled diabetes data, no arguments needed.

Model choice when ``--model`` is not given: ``elasticnet`` when the target is
numeric (not boolean) and either has non-integer values or more than
``MAX_CLASSES`` (10) distinct values; ``logistic`` otherwise.  Progress lines
go to stderr (``--quiet`` silences them), results to stdout.  Bad input ends
with one line ``skdecay: error: ...`` on stderr and exit code 2.

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
#: The ``l1_ratio`` values searched for ``--model elasticnet`` and ``logistic``.
L1_RATIOS = (0.1, 0.5, 0.9, 1.0)
_MODELS = ("elasticnet", "lasso", "ridge", "logistic", "mlp")
_REGRESSION_ONLY = ("elasticnet", "lasso", "ridge")

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
    }
)


class CLIError(Exception):
    """Bad input: reported as one line on stderr with exit code 2."""


# ---------------------------------------------------------------------------
# reading and preprocessing


def _read_csv(path: str | os.PathLike):
    import pandas as pd

    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise CLIError(f"cannot read {str(path)!r}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"cannot read {str(path)!r}: it is a directory") from None
    except PermissionError:
        raise CLIError(f"cannot read {str(path)!r}: permission denied") from None
    except pd.errors.EmptyDataError:
        raise CLIError(f"{str(path)!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot parse {str(path)!r} as CSV: {first}") from None
    except OSError as exc:
        raise CLIError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if df.shape[0] == 0:
        raise CLIError(f"{str(path)!r} has a header but no data rows")
    return df


def _is_numeric(series) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return is_numeric_dtype(series) and not is_bool_dtype(series)


def _target_kind(y) -> str:
    """``"regression"`` or ``"classification"`` by the documented rule."""
    import numpy as np

    if not _is_numeric(y):
        return "classification"
    values = np.asarray(y, dtype=np.float64)
    if np.any(values != np.round(values)) or np.unique(values).size > MAX_CLASSES:
        return "regression"
    return "classification"


def _preprocessor(df):
    """ColumnTransformer for the feature columns of ``df``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in df.columns if _is_numeric(df[c])]
    categorical = [c for c in df.columns if c not in numeric]
    parts = []
    if numeric:
        num = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
        parts.append(("num", num, numeric))
    if categorical:
        cat = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        )
        parts.append(("cat", cat, categorical))
    return ColumnTransformer(parts, sparse_threshold=0.0, verbose_feature_names_out=False)


# ---------------------------------------------------------------------------
# tuning


@dataclass
class _Tuned:
    """What every tuner returns: the final estimator and the table of its path."""

    estimator: Any
    alphas: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    nonzero: np.ndarray
    path: Any  # RegularizationPath: coefs (n_alphas, n_features) for the plot
    best: int
    l1_ratio: float | None
    notes: list[str] = field(default_factory=list)


def _feature_nonzero(coefs: np.ndarray) -> np.ndarray:
    """Nonzero features per alpha of coefficients ``(n_alphas, [K,] p)``."""
    import numpy as np

    if coefs.ndim == 3:
        return np.count_nonzero(np.any(coefs != 0, axis=1), axis=1)
    return np.count_nonzero(coefs, axis=1)


def _tune_linear(Xt, y, kind, model, cv, n_alphas, scoring, log) -> _Tuned:
    """Per ``l1_ratio`` one CV estimator (a progress line each), then the best pair."""
    import numpy as np

    from .linear_model import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor
    from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV
    from .path import enet_path, logistic_path

    ratios = (1.0,) if model == "lasso" else L1_RATIOS
    cv_cls = ElasticNetClassifierCV if kind == "classification" else ElasticNetRegressorCV
    best_score, results = -np.inf, []
    for i, ratio in enumerate(ratios):
        t0 = time.perf_counter()
        est = cv_cls(l1_ratio=ratio, alphas=n_alphas, cv=cv, scoring=scoring).fit(Xt, y)
        scores = est.scores_path_[0]  # (n_alphas, n_folds)
        mean = scores.mean(axis=1)
        j = int(np.argmax(mean))
        results.append((ratio, np.asarray(est.alphas_, dtype=np.float64), scores, j))
        log(
            f"  [{i + 1}/{len(ratios)}] l1_ratio={ratio:<4} best alpha={est.alphas_[j]:.4g} "
            f"CV {scoring}={mean[j]:.4f} ({time.perf_counter() - t0:.1f} s)"
        )
        if mean[j] > best_score:  # first strictly better l1_ratio wins (scikit-learn's rule)
            best_score, chosen = mean[j], len(results) - 1
    ratio, alphas, scores, j = results[chosen]
    if kind == "classification":
        path = logistic_path(Xt, y, l1_ratio=ratio, alphas=alphas)
        final = ElasticNetClassifier(alpha=alphas[j], l1_ratio=ratio)
        coefs = path.coefs
    else:
        path = enet_path(Xt, y, l1_ratio=ratio, alphas=alphas)
        if model == "lasso":
            final = LassoRegressor(alpha=alphas[j])
        else:
            final = ElasticNetRegressor(alpha=alphas[j], l1_ratio=ratio)
        coefs = path.coefs
    final.fit(Xt, y)
    if coefs.ndim == 3 and coefs.shape[1] == 1:
        path = path._replace(coefs=coefs[:, 0, :])
    return _Tuned(
        final,
        alphas,
        scores.mean(axis=1),
        scores.std(axis=1),
        _feature_nonzero(coefs),
        path,
        j,
        ratio,
    )


def _grid_in_batches(estimator, alphas, Xt, y, cv, scoring, log, batch: int = 4):
    """GridSearchCV over ``alpha`` a few candidates at a time, a progress line per batch."""
    import numpy as np
    from sklearn.model_selection import GridSearchCV

    means, stds = [], []
    for start in range(0, alphas.size, batch):
        chunk = alphas[start : start + batch]
        t0 = time.perf_counter()
        search = GridSearchCV(
            estimator, {"alpha": list(chunk)}, cv=cv, scoring=scoring, refit=False
        ).fit(Xt, y)
        means.extend(search.cv_results_["mean_test_score"])
        stds.extend(search.cv_results_["std_test_score"])
        log(
            f"  alphas {start + 1}-{start + chunk.size} of {alphas.size}: best CV {scoring}="
            f"{np.max(search.cv_results_['mean_test_score']):.4f} "
            f"({time.perf_counter() - t0:.1f} s)"
        )
    return np.asarray(means), np.asarray(stds)


def _tune_grid(Xt, y, kind, model, cv, n_alphas, scoring, seed, log) -> _Tuned:
    """Ridge and MLP: GridSearchCV over a log grid of ``alpha``, then refits along it."""
    import numpy as np
    from sklearn.base import clone

    from .linear_model import RidgeRegressor
    from .neural_network import ElasticNetMLPClassifier, ElasticNetMLPRegressor
    from .path import RegularizationPath

    n = Xt.shape[0]
    if model == "ridge":
        # sum-of-squares convention: alpha / n is the mean-loss penalty
        alphas = n * np.logspace(1, -4, n_alphas)
        base = RidgeRegressor()
    else:
        alphas = np.logspace(-1, -5, n_alphas)
        cls = ElasticNetMLPClassifier if kind == "classification" else ElasticNetMLPRegressor
        base = cls(
            hidden_layer_sizes=(32,),
            l1_ratio=0.5,
            learning_rate_init=1e-2,
            max_iter=100,
            random_state=seed,
        )
    mean, std = _grid_in_batches(base, alphas, Xt, y, cv, scoring, log)
    best = int(np.argmax(mean))
    fits = [clone(base).set_params(alpha=a).fit(Xt, y) for a in alphas]
    if model == "ridge":
        coefs = np.array([f.coef_ for f in fits])
        nonzero = np.count_nonzero(coefs, axis=1)
        intercepts = np.array([f.intercept_ for f in fits])
    else:
        # an input's importance: the norm of its outgoing first-layer weights
        coefs = np.array([np.linalg.norm(f.coefs_[0], axis=1) for f in fits])
        nonzero = np.array([sum(np.count_nonzero(W) for W in f.coefs_) for f in fits])
        intercepts = np.zeros(alphas.size)
    path = RegularizationPath(
        alphas, coefs, intercepts, np.full(alphas.size, np.nan), np.zeros(alphas.size, int)
    )
    notes = []
    if model == "mlp":
        notes.append(
            "mlp: the plot shows each input's first-layer weight norm; "
            "'nonzero' counts all nonzero weights"
        )
    return _Tuned(fits[best], alphas, mean, std, nonzero, path, best, None, notes)


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
    print(f"{'':2}{'alpha':>11} {'CV ' + scoring:>14} {'± std':>8} {'nonzero':>8}", file=out)
    for i, a in enumerate(tuned.alphas):
        mark = "*" if i == tuned.best else " "
        print(
            f"{mark:2}{a:11.4g} {tuned.mean[i]:14.4f} {tuned.std[i]:8.4f} {tuned.nonzero[i]:8d}",
            file=out,
        )


def _write_plot(tuned: _Tuned, names, title: str, path: Path) -> None:
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
) -> int:
    """The ``fit`` pipeline on a DataFrame (shared by ``fit`` and ``demo``)."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.pipeline import Pipeline

    def log(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    if target not in df.columns:
        raise CLIError(
            f"target column {target!r} not found; columns are: {', '.join(map(str, df.columns))}"
        )
    df = df[df[target].notna()]
    if df.shape[0] < 2 * cv:
        raise CLIError(f"{df.shape[0]} rows with a target value: too few for {cv}-fold CV")
    y_raw, X = df[target], df.drop(columns=[target])
    if X.shape[1] == 0:
        raise CLIError("no feature columns besides the target")
    kind = _target_kind(y_raw)
    if model is None:
        model = "elasticnet" if kind == "regression" else "logistic"
    elif model in _REGRESSION_ONLY and not _is_numeric(y_raw):
        raise CLIError(
            f"--model {model} needs a numeric target, but {target!r} is {y_raw.dtype} "
            "(use --model logistic or mlp)"
        )
    elif model in _REGRESSION_ONLY:
        kind = "regression"
    elif model == "logistic" and kind == "regression":
        raise CLIError(
            f"--model logistic needs class labels, but {target!r} looks continuous "
            f"(non-integer values or more than {MAX_CLASSES} distinct values)"
        )
    if scoring is not None:
        from sklearn.metrics import get_scorer

        try:
            get_scorer(scoring)
        except ValueError:
            raise CLIError(f"unknown --scoring {scoring!r} (a scikit-learn scorer name)") from None
    if kind == "classification":
        y = np.asarray(y_raw.astype(str)) if not _is_numeric(y_raw) else y_raw.to_numpy()
        counts = np.unique(y, return_counts=True)[1]
        if counts.size < 2:
            raise CLIError(f"target {target!r} has a single class")
        if counts.min() < cv:
            raise CLIError(f"the smallest class has {counts.min()} rows: too few for {cv}-fold CV")
        splitter = StratifiedKFold(cv, shuffle=True, random_state=seed)
        scoring = scoring or "neg_log_loss"
    else:
        y = y_raw.to_numpy(dtype=np.float64)
        splitter = KFold(cv, shuffle=True, random_state=seed)
        scoring = scoring or "r2"

    t0 = time.perf_counter()
    pre = _preprocessor(X)
    Xt = pre.fit_transform(X).astype(np.float64)
    names = np.asarray(pre.get_feature_names_out(), dtype=object)
    log(
        f"skdecay fit: {source}: {X.shape[0]} rows, {X.shape[1]} columns -> "
        f"{Xt.shape[1]} features; target {target!r} ({kind}); model {model}; "
        f"{cv}-fold CV, {n_alphas} alphas"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        if model in ("ridge", "mlp"):
            tuned = _tune_grid(Xt, y, kind, model, splitter, n_alphas, scoring, seed, log)
        else:
            tuned = _tune_linear(Xt, y, kind, model, splitter, n_alphas, scoring, log)
    unconverged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if unconverged:
        log(f"  note: {len(unconverged)} ConvergenceWarning(s) during tuning (max_iter reached)")
    final = tuned.estimator
    pipeline = Pipeline([("preprocess", pre), ("model", final)])

    import skops.io as sio

    sio.dump(pipeline, out)
    _write_plot(tuned, names, f"{model} on {source}", plot)
    seconds = time.perf_counter() - t0

    stdout = sys.stdout
    ratio = "" if tuned.l1_ratio is None else f", l1_ratio={tuned.l1_ratio}"
    where = "" if tuned.l1_ratio is None else f" at l1_ratio={tuned.l1_ratio}"
    print(f"{model} ({type(final).__name__}) on {source}: CV along the path{where}", file=stdout)
    _print_table(tuned, scoring, stdout)
    b = tuned.best
    print(
        f"selected: alpha={tuned.alphas[b]:.4g}{ratio}, "
        f"CV {scoring}={tuned.mean[b]:.4f} ± {tuned.std[b]:.4f}",
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
    df = _read_csv(args.data)
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
    )


def load_model(path: str | os.PathLike):
    """Load a pipeline written by ``skdecay fit``, trusting only known types.

    The untrusted types the file asks for must all be skdecay estimators
    (:func:`skdecay.trusted_types`) or in :data:`KNOWN_TYPES`; otherwise
    :class:`CLIError` is raised and nothing is loaded.
    """
    import skops.io as sio

    from .persistence import (
        InconsistentVersionWarning,
        running_version,
        trusted_types,
        version_skew,
    )

    allowed = set(trusted_types()) | KNOWN_TYPES
    try:
        needed = sio.get_untrusted_types(file=path)
    except FileNotFoundError:
        raise CLIError(f"cannot read {str(path)!r}: no such file") from None
    except OSError as exc:
        raise CLIError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    except Exception as exc:  # zip or schema errors: not a skops file
        raise CLIError(f"{str(path)!r} is not a skops model file ({type(exc).__name__})") from None
    unknown = sorted(set(needed) - allowed)
    if unknown:
        raise CLIError(f"refusing to load {str(path)!r}: untrusted types {', '.join(unknown)}")
    with warnings.catch_warnings():  # reported once below, in the command's words
        warnings.simplefilter("ignore", InconsistentVersionWarning)
        model = sio.load(path, trusted=list(needed))
    for name, saved in version_skew(model):
        print(
            f"skdecay: warning: {name} in {str(path)!r} was saved by skdecay {saved}; "
            f"this is skdecay {running_version()}. Refit it if predictions look wrong.",
            file=sys.stderr,
        )
    return model


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    model = load_model(args.model)
    df = _read_csv(args.data)
    columns = list(getattr(model, "feature_names_in_", df.columns))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CLIError(f"{args.data!r} lacks the model's columns: {', '.join(map(str, missing))}")
    X = df[columns]
    result = pd.DataFrame({"prediction": model.predict(X)}, index=df.index)
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X)
        for k, label in enumerate(model.classes_):
            result[f"proba_{label}"] = proba[:, k]
    if args.out:
        result.to_csv(args.out, index=False)
        print(f"{len(result)} predictions written to {args.out}", file=sys.stderr)
    else:
        result.to_csv(sys.stdout, index=False)
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

    def tuning(p: argparse.ArgumentParser, n_alphas: int) -> None:
        p.add_argument("--cv", type=int, default=5, help="number of CV folds (default 5)")
        p.add_argument(
            "--n-alphas", type=int, default=n_alphas, help=f"alphas on the grid ({n_alphas})"
        )
        p.add_argument("--seed", type=int, default=0, help="seed of the folds and the MLP (0)")
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")

    fit = sub.add_parser("fit", help="tune and fit a model on a CSV file")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument(
        "--model",
        choices=_MODELS,
        default=None,
        help="default: elasticnet for a numeric target with non-integer values or more "
        f"than {MAX_CLASSES} distinct values, logistic otherwise",
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
        help="scikit-learn scorer (default r2 for regression, neg_log_loss for classes)",
    )
    tuning(fit, 20)
    fit.set_defaults(func=_cmd_fit)

    pred = sub.add_parser("predict", help="predict with a model written by `skdecay fit`")
    pred.add_argument("model", help="model file (.skops)")
    pred.add_argument("data", help="CSV file with the model's feature columns")
    pred.add_argument("--out", default=None, help="predictions CSV (default: stdout)")
    pred.set_defaults(func=_cmd_predict)

    demo = sub.add_parser("demo", help="fit on scikit-learn's diabetes data")
    demo.add_argument("--out-dir", default=".", help="where the PNG and model go (default .)")
    tuning(demo, 20)
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
