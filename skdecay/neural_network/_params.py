"""Parameter validation of the MLPs: constraints, per-layer values, the ``__init__``
signatures shared by the six estimators."""

from __future__ import annotations

import numpy as np

from .._compat import (
    Integral,
    Interval,
    Real,
    StrOptions,
)
from ..network import (
    ACTIVATIONS,
)


def _common_constraints() -> dict:
    return {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"adam", "sgd", "lbfgs"})],
        "group_alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "decay": [StrOptions({"decoupled", "coupled"})],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    }


def _per_layer(value, n_mat: int, name: str, upper: float | None) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_mat, float(arr))
    if arr.shape != (n_mat,):
        raise ValueError(
            f"{name} has shape {arr.shape}; expected a scalar or one value per weight "
            f"matrix, i.e. shape ({n_mat},) = (n_layers_ - 1,)."
        )
    if (
        not np.all(np.isfinite(arr))
        or np.any(arr < 0)
        or (upper is not None and np.any(arr > upper))
    ):
        bound = f"[0, {upper}]" if upper is not None else "[0, inf)"
        raise ValueError(f"every {name} must be in {bound}; got {arr.tolist()}.")
    return arr


def _init_elastic_net(
    self,
    hidden_layer_sizes=(100,),
    activation="relu",
    *,
    solver="adam",
    decay="decoupled",
    alpha=1e-4,
    l1_ratio=0.5,
    group_alpha=0.0,
    batch_size="auto",
    learning_rate="constant",
    learning_rate_init=1e-3,
    power_t=0.5,
    max_iter=200,
    shuffle=True,
    random_state=None,
    tol=1e-4,
    verbose=False,
    warm_start=False,
    momentum=0.9,
    nesterovs_momentum=True,
    early_stopping=False,
    validation_fraction=0.1,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=10,
    max_fun=15000,
):
    _store(self, locals())


def _init_fixed_ratio(
    self,
    hidden_layer_sizes=(100,),
    activation="relu",
    *,
    solver="adam",
    decay="decoupled",
    alpha=1e-4,
    group_alpha=0.0,
    batch_size="auto",
    learning_rate="constant",
    learning_rate_init=1e-3,
    power_t=0.5,
    max_iter=200,
    shuffle=True,
    random_state=None,
    tol=1e-4,
    verbose=False,
    warm_start=False,
    momentum=0.9,
    nesterovs_momentum=True,
    early_stopping=False,
    validation_fraction=0.1,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=10,
    max_fun=15000,
):
    _store(self, locals())


def _store(self, params: dict) -> None:
    for name, value in params.items():
        if name != "self":
            setattr(self, name, value)


_EN_CONSTRAINTS = {
    **_common_constraints(),
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
}
_LOSS_CONSTRAINT = {"loss": [StrOptions({"squared_error", "poisson"})]}
