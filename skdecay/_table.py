"""Column handling of the ``skdecay`` command: what each column of a CSV becomes.

:func:`plan_columns` inspects a DataFrame's feature columns and decides, with
one human-readable line per decision, which are dropped (index columns
written by ``DataFrame.to_csv``, ID-like columns unique per row, constant
columns, ``--drop``), which hold numbers written as text (``"1,234"``, a
stray ``"?"``), which are dates, and which are categories of low or high
cardinality.  :func:`build_preprocessor` turns the plan into one
``ColumnTransformer``, which the command cross-validates together with the
model.  The two transformers defined here, :class:`TextToNumber` and
:class:`DateFeatures`, are part of that pipeline so that ``predict`` (and
Python users of the saved model) read new files the same way.
:class:`ExposureModel` keeps, beside a fitted log-link model, the column that
carries its offset (``--exposure`` / ``--offset``), so that ``predict`` reads
the exposure of new rows from the same column.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ._groups import groups_from_feature_names

__all__ = ["DateFeatures", "ExposureModel", "TextToNumber", "build_preprocessor", "plan_columns"]

#: Cell texts read as "missing" in a numeric column (compared after stripping, case-insensitive).
NA_TOKENS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "-", "--", ".", "missing"})
#: Most categories one-hot encoded per text column; rarer ones share an "infrequent" column.
MAX_CATEGORIES = 20
#: Share of a text column's non-missing cells that must read as numbers (or dates).
PARSE_SHARE = 0.95

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_ID_NAME = re.compile(r"(^|[^a-z])(id|key|index|idx|uuid)$", re.IGNORECASE)


def parse_numbers(values) -> tuple[np.ndarray, np.ndarray]:
    """Read cells as numbers: ``(floats, bad)``.

    Numbers may carry thousands separators (``"1,234.5"``) and spaces; the
    texts of :data:`NA_TOKENS` and empty cells are NaN.  ``bad`` marks the
    cells that are neither (their float is NaN too).  Infinite values stay
    infinite (the caller decides).
    """
    s = pd.Series(np.asarray(values, dtype=object).ravel(), dtype=object)
    out = np.full(s.size, np.nan)
    missing = s.isna().to_numpy()
    text = s.astype(str).str.strip()
    lower = text.str.lower()
    na = missing | lower.isin(NA_TOKENS).to_numpy()
    infinite = lower.str.fullmatch(r"[+-]?inf(inity)?").to_numpy() & ~na
    number = (text.str.fullmatch(_NUMBER) & text.str.contains(r"\d")).to_numpy() & ~na
    out[number] = pd.to_numeric(text[number].str.replace(",", "", regex=False)).to_numpy(
        dtype=np.float64
    )
    out[infinite] = np.where(lower[infinite].str.startswith("-"), -np.inf, np.inf)
    bad = ~(na | number | infinite)
    return out, bad


class TextToNumber(TransformerMixin, BaseEstimator):
    """Numeric columns as floats, reading numbers written as text.

    ``"1,234"`` becomes 1234.0, the texts of :data:`NA_TOKENS` become NaN
    (imputed downstream); any other text raises a ``ValueError`` naming the
    column and the offending values.  Numeric input passes through.
    """

    def fit(self, X, y=None):
        self.feature_names_in_ = _names(X)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def transform(self, X):
        frame = _frame(X, self.feature_names_in_)
        out = np.empty(frame.shape, dtype=np.float64)
        for j, name in enumerate(self.feature_names_in_):
            col = frame.iloc[:, j]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                out[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
                continue
            out[:, j], bad = parse_numbers(col)
            if bad.any():
                examples = ", ".join(repr(str(v)) for v in pd.unique(col[bad])[:3])
                raise ValueError(
                    f"column {name!r} must hold numbers, but {int(bad.sum())} cell(s) do not: "
                    f"{examples}"
                )
        return out

    def get_feature_names_out(self, input_features=None):
        return np.asarray(self.feature_names_in_, dtype=object)


class DateFeatures(TransformerMixin, BaseEstimator):
    """Date (and time) columns as numbers a linear model can use.

    Per column: the time in years (``2001.5`` is mid-2001: the trend), the
    month and the weekday as points on a circle (``sin``/``cos``, so that
    December is next to January), and the hour of the day likewise when the
    column holds times.  Unreadable cells are NaN (imputed downstream).
    """

    def fit(self, X, y=None):
        self.feature_names_in_ = _names(X)
        self.n_features_in_ = len(self.feature_names_in_)
        frame = _frame(X, self.feature_names_in_)
        self.with_time_ = []
        for j in range(frame.shape[1]):
            t = _to_datetime(frame.iloc[:, j]).dropna()
            self.with_time_.append(bool(np.any(t != t.dt.normalize())))
        return self

    def transform(self, X):
        frame = _frame(X, self.feature_names_in_)
        blocks = []
        for j in range(frame.shape[1]):
            t = _to_datetime(frame.iloc[:, j])
            years = (t.dt.year + (t.dt.day_of_year - 1) / 365.25).to_numpy(dtype=np.float64)
            month = 2 * np.pi * (t.dt.month.to_numpy(dtype=np.float64) - 1) / 12
            day = 2 * np.pi * t.dt.day_of_week.to_numpy(dtype=np.float64) / 7
            cols = [years, np.sin(month), np.cos(month), np.sin(day), np.cos(day)]
            if self.with_time_[j]:
                hour = 2 * np.pi * (t.dt.hour + t.dt.minute / 60).to_numpy(dtype=np.float64) / 24
                cols += [np.sin(hour), np.cos(hour)]
            blocks.append(np.column_stack(cols))
        return np.hstack(blocks) if blocks else np.empty((frame.shape[0], 0))

    def get_feature_names_out(self, input_features=None):
        names = []
        for name, with_time in zip(self.feature_names_in_, self.with_time_, strict=True):
            parts = ["years", "month_sin", "month_cos", "weekday_sin", "weekday_cos"]
            parts += ["hour_sin", "hour_cos"] if with_time else []
            names += [f"{name}_{p}" for p in parts]
        return np.asarray(names, dtype=object)


def _names(X) -> list[str]:
    if hasattr(X, "columns"):
        return [str(c) for c in X.columns]
    return [f"x{j}" for j in range(np.shape(X)[1])]


def _frame(X, names) -> pd.DataFrame:
    if hasattr(X, "iloc"):
        return X
    return pd.DataFrame(np.asarray(X, dtype=object), columns=names)


def _to_datetime(col) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "could not infer format": element-wise parsing
        try:
            return pd.to_datetime(col, errors="coerce", format="mixed")
        except (TypeError, ValueError):
            return pd.Series(pd.NaT, index=col.index)


# ---------------------------------------------------------------------------
# the plan


@dataclass
class ColumnPlan:
    """What each feature column becomes; ``decisions`` are the report's lines."""

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


def _is_number_column(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _consecutive_integers(values: np.ndarray) -> bool:
    if values.size < 2 or not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        return False
    return bool(np.all(np.diff(np.sort(values)) == 1))


def plan_columns(X: pd.DataFrame, drop=()) -> tuple[pd.DataFrame, ColumnPlan]:
    """Decide what every column of ``X`` (the features) becomes.

    Returns the frame with numbers written as text already read as numbers
    (cells that are neither numbers nor missing markers become missing, and
    the report says how many) and the plan.  Raises ``ValueError`` for a
    column with infinite values.
    """
    plan = ColumnPlan()
    X = X.copy()
    n = X.shape[0]
    for name in drop:
        plan.dropped.append(name)
        plan.decisions.append(f"column {name!r}: dropped (--drop)")
    for name in X.columns:
        if name in plan.dropped:
            continue
        col = X[name]
        present = col.dropna()
        n_unique = present.nunique()
        if n_unique <= 1:
            what = "empty" if present.empty else f"constant ({present.iloc[0]!r})"
            plan.dropped.append(name)
            plan.decisions.append(f"column {name!r}: dropped, {what}")
            continue
        if _is_number_column(col):
            values = present.to_numpy(dtype=np.float64)
            if np.isinf(values).any():
                rows = np.flatnonzero(np.isinf(col.to_numpy(dtype=np.float64)))[:3] + 2
                raise ValueError(
                    f"column {name!r} has {int(np.isinf(values).sum())} infinite value(s) "
                    f"(file lines {', '.join(map(str, rows))}); fix them, leave the cells "
                    f"empty, or pass --drop {name}"
                )
            if str(name).startswith("Unnamed: ") and _consecutive_integers(values):
                plan.dropped.append(name)
                plan.decisions.append(
                    f"column {name!r}: dropped, a row index (0, 1, 2, ... without a header)"
                )
                continue
            unique_per_row = n_unique == n
            if unique_per_row and (
                _consecutive_integers(values)
                and np.all(values == np.round(values))
                or _ID_NAME.search(str(name))
            ):
                plan.dropped.append(name)
                plan.decisions.append(
                    f"column {name!r}: dropped, ID-like (a different integer on every row)"
                )
                continue
            plan.numeric.append(name)
            continue
        if pd.api.types.is_bool_dtype(col):
            plan.categorical.append(name)
            continue
        text = present.astype(str)
        numbers, bad = parse_numbers(present)
        readable = (~bad).sum()
        if readable >= PARSE_SHARE * present.size and readable > 0:
            full, full_bad = parse_numbers(col)
            if np.isinf(full).any():
                raise ValueError(
                    f"column {name!r} has infinite value(s); fix them, leave the cells empty, "
                    f"or pass --drop {name}"
                )
            n_text = int(np.sum(col.notna().to_numpy() & np.isnan(full)) - full_bad.sum())
            n_sep = int(text.str.contains(",", regex=False).sum())
            parts = []
            if n_sep:
                parts.append(f"{n_sep} with thousands separators (e.g. {_example(text, ',')})")
            if n_text:
                markers = sorted(
                    {
                        str(v).strip()
                        for v in col[col.notna() & np.isnan(full)]
                        if str(v).strip().lower() in NA_TOKENS
                    }
                )
                parts.append(f"{n_text} missing marker(s) {', '.join(map(repr, markers))}")
            if full_bad.any():
                junk = ", ".join(repr(str(v)) for v in pd.unique(col[full_bad])[:3])
                parts.append(f"{int(full_bad.sum())} unreadable cell(s) ({junk}) set to missing")
            X[name] = full
            plan.numeric.append(name)
            plan.decisions.append(
                f"column {name!r}: numbers written as text, read as numbers ("
                + "; ".join(parts)
                + ")"
            )
            continue
        is_date = text.str.match(_DATE).mean() >= PARSE_SHARE
        if is_date and _to_datetime(present).notna().mean() >= PARSE_SHARE:
            plan.dates.append(name)
            plan.decisions.append(
                f"column {name!r}: dates, encoded as years + month and weekday on a circle"
            )
            continue
        if n_unique == n and n >= 10:
            plan.dropped.append(name)
            plan.decisions.append(f"column {name!r}: dropped, ID-like (unique text on every row)")
            continue
        plan.categorical.append(name)
        if n_unique > MAX_CATEGORIES:
            plan.decisions.append(
                f"column {name!r}: {n_unique} distinct values; one-hot encoded as its "
                f"{MAX_CATEGORIES - 1} most frequent values + one 'infrequent' column"
            )
    return X, plan


def _example(text: pd.Series, needle: str) -> str:
    hits = text[text.str.contains(needle, regex=False)]
    return repr(hits.iloc[0]) if len(hits) else ""


def build_preprocessor(plan: ColumnPlan):
    """One ``ColumnTransformer`` for the plan (dense output, bounded width).

    numbers: :class:`TextToNumber`, median imputation, ``StandardScaler``;
    dates: :class:`DateFeatures`, median imputation, ``StandardScaler``;
    categories: most-frequent imputation, ``OneHotEncoder`` with at most
    :data:`MAX_CATEGORIES` columns per input column (unknown values at predict
    time: all zeros, or the "infrequent" column when there is one).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if plan.numeric:
        num = Pipeline(
            [
                ("read", TextToNumber()),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
            ]
        )
        parts.append(("num", num, list(plan.numeric)))
    if plan.dates:
        dates = Pipeline(
            [
                ("read", DateFeatures()),
                ("impute", SimpleImputer(strategy="median")),
                ("scale", StandardScaler()),
            ]
        )
        parts.append(("date", dates, list(plan.dates)))
    if plan.categorical:
        cat = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                (
                    "onehot",
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=MAX_CATEGORIES,
                        sparse_output=False,
                    ),
                ),
            ]
        )
        parts.append(("cat", cat, list(plan.categorical)))
    return ColumnTransformer(parts, sparse_threshold=0.0, verbose_feature_names_out=False)


def feature_groups(pre) -> list[str]:
    """The input column of every output feature of a fitted :func:`build_preprocessor`.

    A one-hot feature ``color_red`` belongs to ``color``, a date feature
    ``day_month_sin`` to ``day``, a numeric feature to itself: the labels of
    :func:`skdecay.groups_from_feature_names`, matched within each transformer
    (a one-hot ``a_b_c`` of the categorical ``a`` stays with ``a`` even beside a
    numeric column ``a_b``).  Used for the colour families of the path plot and,
    with ``--groups columns``, as the groups of the model.
    """
    groups = []
    for name, transformer, columns in pre.transformers_:
        if name == "remainder" or transformer == "drop":
            continue
        columns = [str(c) for c in columns]
        names = transformer.get_feature_names_out(columns)
        if len(names):
            groups += groups_from_feature_names(names, columns).tolist()
    return groups


def offset_from_column(values, column: str, log: bool) -> np.ndarray:
    """The offset carried by a column: ``log(values)`` for an exposure (``log=True``;
    every value must be positive), the values themselves otherwise (finite).

    Raises ``ValueError`` naming the column and the first offending row.
    """
    what = "exposure" if log else "offset"
    raw = pd.Series(values)
    num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(num)
    if log:
        bad |= ~(num > 0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        need = "positive numbers" if log else "finite numbers"
        raise ValueError(
            f"{what} column {column!r} must hold {need}: {int(bad.sum())} row(s) do not "
            f"(row {i + 1}: {raw.iloc[i]})"
        )
    return np.log(num) if log else num


class ExposureModel(BaseEstimator):
    """A fitted log-link model whose offset comes from a column of the table.

    ``predict(X)`` is ``model.predict(X without column) * exp(offset)``, with the
    offset ``log(X[column])`` (``log=True``: an exposure, e.g. hours or policy
    years) or ``X[column]`` (``log=False``): for a log link the model's mean
    with that offset in the linear predictor.

    Parameters
    ----------
    model : fitted estimator or Pipeline
        Predicts the mean at offset zero, from the other columns.
    column : str
        The column of the offset.
    log : bool, default=True
        Whether the column is an exposure (its log is the offset).
    """

    def __init__(self, model=None, column: str = "", log: bool = True):
        self.model = model
        self.column = column
        self.log = log

    @property
    def feature_names_in_(self) -> np.ndarray:
        names = list(getattr(self.model, "feature_names_in_", []))
        return np.asarray(names + [self.column], dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        return self.model is not None

    def offset(self, X) -> np.ndarray:
        """The offset of the rows of the DataFrame ``X``."""
        if self.column not in X.columns:
            raise ValueError(f"the model needs the column {self.column!r} (its offset)")
        return offset_from_column(X[self.column], self.column, self.log)

    def predict(self, X) -> np.ndarray:
        """The mean of each row of the DataFrame ``X``, its offset included."""
        off = self.offset(X)
        return np.asarray(self.model.predict(X.drop(columns=[self.column]))) * np.exp(off)
