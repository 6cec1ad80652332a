"""Feature groups from feature names: one group per original column of a table.

A ``ColumnTransformer`` (or skrub's ``TableVectorizer``) turns the columns of a
DataFrame into more features: the indicator columns of a ``OneHotEncoder``
(``Region_East``, ``Region_West``), the basis functions of a
``SplineTransformer`` (``Age_sp_0``, ...), the parts of a date (``date_year``).
scikit-learn reports them through ``get_feature_names_out()``, whose names
start with the input column (``<column>_<suffix>``, possibly behind a
``<transformer>__`` prefix).  :func:`groups_from_feature_names` reads the
original column back from each name, so that
``ElasticNetRegressor(groups=...)`` can keep or drop a column's features as one
block; :class:`ColumnGroups` does the same at ``fit`` time, from the feature
names the estimator itself sees (``set_output(transform="pandas")``), which
keeps the groups right inside pipelines that are cloned and refitted (grid
search, cross-validation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["ColumnGroups", "groups_from_feature_names", "resolve_groups"]


def _owner(name: str, columns: Sequence[str], seps: tuple[str, ...]) -> str | None:
    """The longest column ``c`` with ``name == c`` or ``name`` starting with ``c + sep``."""
    for column in columns:  # longest first: "age_group" before "age"
        if name == column or any(name.startswith(column + s) for s in seps):
            return column
    return None


def groups_from_feature_names(
    feature_names: Iterable, columns: Iterable, *, sep: str | Sequence[str] = "_"
) -> np.ndarray:
    """One group label per feature: the input column each feature name comes from.

    Pass the result as ``groups=`` to :class:`~skdecay.ElasticNetRegressor`,
    :class:`~skdecay.ElasticNetRegressorCV` or :func:`~skdecay.enet_path`: the
    features made from one column (the indicators of a one-hot encoded
    categorical, the basis of a spline) form one group; a column that stays one
    feature (a scaled number) is a group of its own.

    A feature name ``n`` belongs to column ``c`` when ``n == c`` or ``n`` starts
    with ``c + sep``; when several columns qualify (``age`` and ``age_group``),
    the longest wins.  A name that matches no column is retried without its
    ``<transformer>__`` prefixes (the names of a ``ColumnTransformer`` with
    ``verbose_feature_names_out=True``, the default).  This is how
    scikit-learn's encoders name their output (``OneHotEncoder``:
    ``<column>_<category>``; ``SplineTransformer``: ``<column>_sp_<k>``) and
    how skrub's ``TableVectorizer`` does.

    Parameters
    ----------
    feature_names : iterable of str
        The names of the features, in column order of the design matrix:
        ``preprocessor.get_feature_names_out()`` of the fitted preprocessing,
        or the columns of its pandas output.
    columns : iterable of str
        The original columns, e.g. ``X.columns`` of the DataFrame the
        preprocessing was fitted on (or its ``feature_names_in_``).
    sep : str or sequence of str, default="_"
        What separates a column name from the suffix of its features.

    Returns
    -------
    labels : ndarray of str, shape (n_features,)
        The column of each feature (one label per feature: the ``groups``
        format of the estimators; groups are numbered by first appearance).

    Raises
    ------
    ValueError
        If a feature name matches none of ``columns`` (e.g. an interaction
        ``"a b"`` of ``PolynomialFeatures``, which belongs to two columns):
        build such groups by hand.

    Examples
    --------
    >>> from skdecay import groups_from_feature_names
    >>> names = ["num__Income", "cat__Region_East", "cat__Region_West", "cat__Own_Yes"]
    >>> groups_from_feature_names(names, ["Income", "Region", "Own"]).tolist()
    ['Income', 'Region', 'Region', 'Own']
    """
    seps = (sep,) if isinstance(sep, str) else tuple(sep)
    if not seps or any(not isinstance(s, str) or not s for s in seps):
        raise ValueError(f"sep must be a non-empty string or strings, got {sep!r}.")
    cols = sorted({str(c) for c in columns}, key=len, reverse=True)
    if not cols:
        raise ValueError("columns is empty: give the original columns of the table.")
    names = [str(n) for n in feature_names]
    labels, unmatched = [], []
    for name in names:
        owner, rest = _owner(name, cols, seps), name
        while owner is None and "__" in rest:  # strip one "<transformer>__" prefix
            rest = rest.split("__", 1)[1]
            owner = _owner(rest, cols, seps)
        if owner is None:
            unmatched.append(name)
        labels.append(owner)
    if unmatched:
        shown = ", ".join(repr(n) for n in unmatched[:5])
        more = f" and {len(unmatched) - 5} more" if len(unmatched) > 5 else ""
        raise ValueError(
            f"{len(unmatched)} feature name(s) start with none of the columns "
            f"(followed by {' or '.join(repr(s) for s in seps)}): {shown}{more}. "
            "Give the original columns of the table, or build these groups by hand."
        )
    return np.asarray(labels, dtype=str)


class ColumnGroups:
    """``groups=`` resolved at ``fit``: one group per original column of the table.

    An estimator at the end of a pipeline sees the preprocessed matrix, whose
    width depends on the data (the categories a ``OneHotEncoder`` meets in
    each training fold).  Given as ``groups=ColumnGroups(X.columns)``, the
    groups are computed in every ``fit`` by :func:`groups_from_feature_names`
    from the feature names the estimator receives: let the preprocessing
    output pandas (``pipeline.set_output(transform="pandas")``, which needs
    dense output, e.g. ``OneHotEncoder(sparse_output=False)``) so that the
    names reach the estimator (``feature_names_in_``).  It is an ordinary
    parameter value: cloned, pickled and compared like one.  Where no feature
    names exist (a NumPy array, :func:`~skdecay.enet_path`) it raises a
    ``ValueError`` saying so.

    Parameters
    ----------
    columns : iterable of str
        The original columns of the table.
    sep : str or sequence of str, default="_"
        What separates a column name from the suffix of its features.

    Examples
    --------
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder, StandardScaler
    >>> from skdecay import ColumnGroups, ElasticNetRegressor
    >>> pre = make_column_transformer(
    ...     (StandardScaler(), ["Income"]), (OneHotEncoder(sparse_output=False), ["Region"])
    ... )
    >>> model = make_pipeline(
    ...     pre, ElasticNetRegressor(l1_ratio=0.0, groups=ColumnGroups(["Income", "Region"]))
    ... ).set_output(transform="pandas")
    """

    def __init__(self, columns: Iterable, sep: str | Sequence[str] = "_"):
        self.columns = [str(c) for c in columns]
        self.sep = sep

    def labels(self, feature_names) -> np.ndarray:
        """:func:`groups_from_feature_names` of ``feature_names`` and these columns."""
        if feature_names is None:
            raise ValueError(
                "groups=ColumnGroups(...) needs the names of the features: fit on a "
                "DataFrame (in a pipeline, call set_output(transform='pandas') so that "
                "the preprocessing passes its column names on)."
            )
        return groups_from_feature_names(feature_names, self.columns, sep=self.sep)

    def __call__(self, n_features: int):
        # reached only where no feature names exist (e.g. enet_path on an array)
        return self.labels(None)

    def __repr__(self) -> str:
        return f"ColumnGroups(columns={self.columns!r}, sep={self.sep!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, ColumnGroups):
            return NotImplemented
        return self.columns == other.columns and self.sep == other.sep

    __hash__ = None  # mutable, like the lists it holds


def resolve_groups(groups, n_features: int, feature_names=None):
    """The ``groups`` an estimator fits with: ``ColumnGroups`` resolved from
    ``feature_names``, a callable called with ``n_features``, else ``groups``."""
    if isinstance(groups, ColumnGroups):
        return groups.labels(feature_names)
    if callable(groups):
        return groups(n_features)
    return groups
