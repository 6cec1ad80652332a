"""Input checks shared by the estimators (on top of ``sklearn.utils.validation``)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import is_classifier
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import validate_data

__all__ = [
    "check_X_y",
    "check_X",
    "check_sample_weight",
    "check_penalty_factor",
    "check_weighted_classes",
    "check_scale",
    "class_weight_vector",
    "class_weighted",
]

FLOATS = [np.float64, np.float32]


def check_X_y(estimator, X, y, *, reset=True, y_numeric=False, keep_csr=False, multi_output=False):
    """Validate ``X`` (dense Fortran or CSC, float64/float32, finite) and ``y``.

    Arrays are copied only when a conversion is needed; skdecay never writes
    into them.  ``keep_csr``: CSR input stays CSR (for solvers that work on rows).
    A classifier keeps a contiguous dense ``X`` in its layout (C or Fortran): the
    compiled logistic solver reads either without a copy, as scikit-learn's
    ``LogisticRegression``; the regressors' coordinate descent reads columns.
    """
    keep_order = is_classifier(estimator)
    X, y = validate_data(
        estimator,
        X,
        y,
        reset=reset,
        accept_sparse=("csr", "csc") if keep_csr else "csc",
        dtype=FLOATS,
        order=None if keep_order else "F",
        y_numeric=y_numeric,
        multi_output=multi_output,  # 2-D y kept as is (else raveled or rejected)
    )
    if keep_order and not sp.issparse(X) and not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.asfortranarray(X)  # a strided view: one copy, as before
    if sp.issparse(X) and not (keep_csr and X.format == "csr"):
        X = sp.csc_matrix(X)  # a csc_array works too, but keep one type for numba
        if not X.has_sorted_indices:
            X = X.sorted_indices()
    check_scale(X, y)
    return X, y


def check_scale(X, y=None) -> None:
    """Raise ``ValueError`` when the sums of squares of ``X`` (or ``y``) overflow.

    Finite entries near the largest float (``1e308``, or ``1e20`` in float32)
    make every solver's moments infinite; scikit-learn's solvers then raise a
    ``ValueError``, and so do we, before fitting rather than after an all-zero fit.
    """
    for name, a in (("X", X), ("y", y)):
        if a is None:
            continue
        v = a.data if sp.issparse(a) else np.asarray(a)
        if v.dtype.kind != "f":
            continue
        v = v.ravel(order="K")
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.dot(v, v)
        if not np.isfinite(total):
            raise ValueError(
                f"{name} contains values too large for {v.dtype}: its sum of squares "
                "overflows, so no solver can fit it. Rescale the data (e.g. "
                "StandardScaler) before fitting."
            )


def check_X(estimator, X):
    return validate_data(estimator, X, reset=False, accept_sparse=("csr", "csc"), dtype=FLOATS)


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray:
    """Sample weights as a ``dtype`` array of shape ``(n_samples,)`` (not yet normalised)."""
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if np.isscalar(sample_weight):
        sw = np.full(n_samples, float(sample_weight))
    else:
        sw = np.asarray(sample_weight, dtype=np.float64)
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight.shape == {sw.shape}, expected ({n_samples},).")
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sw < 0):
        raise ValueError("Negative values in data passed to sample_weight.")
    if not np.any(sw > 0):
        raise ValueError(
            "sample_weight must not be all zero: at least one weight must be positive."
        )
    return sw.astype(dtype)


def check_offset(offset, n_samples: int, dtype) -> np.ndarray | None:
    """``offset`` as a finite ``dtype`` array of shape ``(n_samples,)`` (or ``None``)."""
    if offset is None:
        return None
    off = np.asarray(offset, dtype=np.float64)
    if off.ndim == 2 and off.shape[1] == 1:
        off = off[:, 0]
    if off.shape != (n_samples,):
        raise ValueError(f"offset has shape {off.shape}; expected ({n_samples},).")
    if not np.all(np.isfinite(off)):
        raise ValueError("offset contains NaN or infinity.")
    return off.astype(dtype)


def check_penalty_factor(penalty_factor, n_features: int) -> np.ndarray:
    """Per-feature penalty factors (default all ones), non-negative; ``inf`` excludes
    a feature (glmnet's ``exclude``: :func:`skdecay.solvers.make_problem` fixes its
    coefficient at 0)."""
    if penalty_factor is None:
        return np.ones(n_features)
    pf = np.asarray(penalty_factor, dtype=np.float64)
    if pf.ndim == 0:
        pf = np.full(n_features, float(pf))
    if pf.shape != (n_features,):
        raise ValueError(
            f"penalty_factor has shape {pf.shape}; expected ({n_features},), one "
            "factor per feature."
        )
    if np.any(np.isnan(pf)) or np.any(pf < 0):
        raise ValueError(
            "penalty_factor must be non-negative (0: unpenalised, inf: feature excluded)."
        )
    return pf


def class_weight_vector(class_weight, classes, y, sample_weight=None) -> np.ndarray | None:
    """Per-sample multipliers from ``class_weight`` (``None``, ``"balanced"`` or a
    dict keyed by class label), with scikit-learn's semantics: they multiply
    ``sample_weight``; ``"balanced"`` is ``n / (n_classes * bincount)`` counted with
    ``sample_weight``; classes missing from a dict weigh 1."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"The given class_weight dict must have the class labels as keys; "
                f"classes={classes} but key={sorted(map(str, unknown))}."
            )
    sw = None if sample_weight is None else check_sample_weight(sample_weight, len(y), np.float64)
    per_class = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=sw)
    return np.asarray(per_class, dtype=np.float64)[np.searchsorted(classes, y)]


def class_weighted(class_weight, y, sample_weight, classes=None, *, partial=False):
    """``sample_weight`` multiplied by the weights of the classes of ``y`` (for
    estimators that validate ``y`` later); unchanged when ``class_weight`` is None.

    ``classes``: all labels (default ``np.unique(y)``).  ``partial`` (``partial_fit``):
    ``"balanced"`` is refused, as in ``SGDClassifier``, since one batch cannot tell
    the class frequencies.
    """
    if class_weight is None:
        return sample_weight
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError("class_weight needs 1-d class labels (not a multilabel indicator).")
    if partial and isinstance(class_weight, str):
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit (one batch cannot "
            "tell the class frequencies); pass a dict of class weights instead."
        )
    classes = np.unique(y) if classes is None else np.unique(np.asarray(classes))
    if not np.all(np.isin(y, classes)):
        return sample_weight  # the estimator reports the unknown labels
    cw = class_weight_vector(class_weight, classes, y, sample_weight)
    return check_sample_weight(sample_weight, len(y), np.float64) * cw


def check_weighted_classes(y, sample_weight) -> None:
    """Raise unless samples of at least 2 classes keep a positive weight."""
    if sample_weight is None or np.isscalar(sample_weight):
        return
    sw = check_sample_weight(sample_weight, len(y), np.float64)
    if np.unique(np.asarray(y)[sw > 0]).size < 2:
        raise ValueError(
            "sample_weight leaves samples of a single class with positive weight; "
            "a classifier needs at least 2 classes."
        )
