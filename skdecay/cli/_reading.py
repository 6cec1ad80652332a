"""Reading the CSV and checking the target, the scoring and the log-link options."""

from __future__ import annotations

import os

from ._settings import _GLM, DEFAULT_POWER, MAX_CLASSES, CLIError


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
    from ..losses import get_loss

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

    from ..losses import get_loss

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
