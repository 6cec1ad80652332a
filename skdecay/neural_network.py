r"""Multilayer perceptrons with elastic-net weight penalties, coupled or decoupled.

Every estimator minimises

.. math::

    \frac{1}{n} \sum_i s_i \, \ell(y_i, f(x_i))
    + \sum_{l} \alpha_l \Big(\rho_l \|W_l\|_1 + \frac{1-\rho_l}{2} \|W_l\|_F^2\Big)

over the weight matrices ``W_l`` and biases of the network (``rho = l1_ratio``;
biases are never penalised; sample weights ``s`` rescaled to sum to ``n``),
plus, with ``group_alpha``, a group lasso on the rows of the weight matrices
(input selection and unit pruning; the ``shrink`` method removes what it zeroed).
Each minibatch step uses ``sum_{i in batch} s_i grad_i / batch_len`` plus the
*full* penalty, so ``alpha`` means the same for every batch size.  The data
loss ``l`` is ``1/2 * sum_k (y_k - yhat_k)**2`` (regression, identity output),
the binary log-loss summed over the outputs (sigmoid; binary and multilabel
classification), the multinomial log-loss (softmax; multiclass) or the half
Poisson deviance (``loss="poisson"``, exp output).

Training runs the optimizer chains of :mod:`skdecay.optim` in the numba kernel
:func:`skdecay._kernels.mlp.mlp_epoch`, one call per epoch; Python runs the
epochs, the schedules, the stopping rule and the verbose output.
``solver="lbfgs"`` evaluates the full-batch loss with the same kernel
(:func:`skdecay._kernels.mlp.full_loss_grad`) under scipy's L-BFGS-B, or under
:func:`skdecay.optim.owlqn` when the penalty has an L1 part.

Input: dense (C or F order, read one minibatch of rows at a time, never
copied whole) or CSR (the first layer runs over the stored entries).

State: each epoch ends by replacing one immutable ``_State`` tuple, and the
fitted attributes are written from it once training stops, so an interrupt
leaves the last complete epoch (or, before the first one, the previous state).

Threads: training runs with BLAS limited to one thread (``threadpoolctl``),
through one limit shared by the fits of all threads (reference-counted).
The products of a minibatch are too small for threads to pay, and one thread
per fit is what parallel grid searches (joblib, dask workers) need to avoid
oversubscribing the cores; parallelise over fits with ``n_jobs`` instead.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import warnings
from numbers import Integral as _Integral
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from threadpoolctl import ThreadpoolController

from . import optim
from ._callbacks import CallbackSupportMixin, begin_fit, end_fit, epoch_task
from ._compat import (
    CLASS_WEIGHT_CONSTRAINT,
    CLASS_WEIGHT_DOC,
    DocLinkMixin,
    Integral,
    Interval,
    Real,
    StrOptions,
    fit_context,
    with_class_weight,
    with_keyword,
)
from ._kernels import mlp as _mlp
from ._validation import FLOATS, check_sample_weight, check_weighted_classes, class_weighted
from .network import (
    ACTIVATIONS,
    OUT_ACTIVATIONS,
    forward,
    group_penalty_value,
    layout_of,
    pack,
    prune,
    row_groups,
    unpack,
)
from .penalties import penalty_value
from .persistence import VersionedMixin

__all__ = [
    "ElasticNetMLPClassifier",
    "ElasticNetMLPRegressor",
    "RidgeMLPClassifier",
    "RidgeMLPRegressor",
    "LassoMLPClassifier",
    "LassoMLPRegressor",
]

_HISTORY_KEYS = ("l1_norm", "l2_norm", "zero_fraction", "loss", "validation_score", "kept")
# private fitted state, dropped with the public attributes by an interrupted first fit
_PRIVATE_STATE = ("_m", "_v", "_step", "_epochs", "_lr", "_no_improvement", "_seed",
                  "_label_kind", "_y_1d")  # fmt: skip


_CONTROLLER: list = []


def _blas_controller() -> ThreadpoolController:
    """One ``ThreadpoolController`` per process (building one costs ~10 ms; limiting ~0.05 ms).

    Created after scipy's BLAS is loaded: numba's ``np.dot`` calls it.
    """
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (loads the BLAS numba uses)

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


_LIMIT_LOCK = threading.Lock()
_LIMIT: dict = {"depth": 0}


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS limited to one thread while any MLP of this process trains.

    BLAS's thread count is process-wide.  Nested ``threadpoolctl`` limits
    entered from several threads restore in the wrong order (the second fit
    saves the first one's "1" as the original and leaves the process at one
    thread for good), so the fits share one limit with a reference count: the
    first to start sets it, the last to end restores what was there before.
    """
    with _LIMIT_LOCK:
        if _LIMIT["depth"] == 0:
            _LIMIT["limiter"] = _blas_controller().limit(limits=1, user_api="blas")
        _LIMIT["depth"] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT["depth"] -= 1
            if _LIMIT["depth"] == 0:
                _LIMIT.pop("limiter").restore_original_limits()


# ---------------------------------------------------------------------------
# shared machinery

_DOC_PARAMS = """
    hidden_layer_sizes : array-like of int, default=(100,)
        Number of units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        Optimizer: Adam (PyTorch's formulas), SGD with momentum (PyTorch's
        form ``buf <- momentum*buf + g``, which differs from scikit-learn's
        ``v <- momentum*v - lr*g`` only when the learning rate changes), or
        full-batch L-BFGS (scipy's L-BFGS-B; OWL-QN when ``l1_ratio > 0``, which
        keeps exact zeros).  With ``"lbfgs"``, ``max_iter`` counts iterations,
        ``tol`` is the gradient tolerance, the minibatch, learning-rate and
        early-stopping parameters are unused and ``partial_fit`` is not
        available (as scikit-learn); ``group_alpha`` needs a stochastic solver.
        ``decay`` does not apply (the L2 part is in the full-batch objective).
    decay : {"decoupled", "coupled"}, default="decoupled"
        Where the L2 part goes: ``"coupled"`` adds ``lam2*W`` to the gradient
        before the optimizer (Adam + L2), ``"decoupled"`` shrinks
        ``W <- W*(1 - lr*lam2)`` outside Adam's scaling (AdamW); with plain
        SGD both give the same weights.  The L1 part is always a proximal
        soft-threshold after the step, at ``lr*lam1`` (SGD) or per coordinate
        ``lr*lam1/(sqrt(vhat)+eps)`` (Adam: the prox in Adam's metric, so a weight
        stays exactly zero while ``|mhat| <= lam1``).
        (``lam1 = alpha*l1_ratio``, ``lam2 = alpha*(1-l1_ratio)``.)
    alpha : float or array-like of shape (n_layers_ - 1,), default=1e-4
        Penalty strength, one value for all weight matrices or one per matrix.
    group_alpha : float or array-like of shape (n_layers_ - 1,), default=0.0
        Group lasso on the rows of each weight matrix,
        ``group_alpha_l * sqrt(n_out_l) * sum_j ||W_l[j, :]||_2``: row ``j`` of the
        first matrix is input feature ``j`` (zero: the input is dropped, see
        ``inactive_features_``), row ``j`` of a later one is the outgoing weights
        of hidden unit ``j`` (zero: the unit is dead; :meth:`shrink` removes it).
        A proximal step after the L1 one; under Adam in the metric's mean over
        the row.  Penalize the other layers too (some ``alpha``), or the network
        rescales its way around the group penalty.
    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Schedule of the rate (``solver="sgd"`` only, as scikit-learn):
        ``invscaling`` uses ``learning_rate_init / (t + 1)**power_t`` after ``t``
        samples; ``adaptive`` divides it by 5 after ``n_iter_no_change`` epochs
        without improvement, until it falls below 1e-6.
    learning_rate_init : float, default=1e-3
        Step size.  If an epoch's loss becomes non-finite or exceeds ten times
        the first epoch's, training stops with a ``ConvergenceWarning`` naming
        the learning rate, and the weights from before that epoch are kept.
    power_t : float, default=0.5
    max_iter : int, default=200
        Maximum number of epochs (passes over the data).
    shuffle : bool, default=True
        Shuffle the samples before every epoch.
    random_state : int, RandomState instance or None, default=None
        Seed of the weight initialisation (Glorot uniform, as scikit-learn),
        the shuffles and the validation split.
    tol : float, default=1e-4
        Training stops after ``n_iter_no_change`` consecutive epochs in which
        the training loss (or, with ``early_stopping``, the validation score)
        did not improve by ``tol``.
    verbose : bool, default=False
        Print the loss after every epoch.
    warm_start : bool, default=False
        Continue from the previous weights and optimizer state.
    momentum : float, default=0.9
        SGD momentum.
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for
        classifiers), stop on the validation score (accuracy or R^2) and keep
        the best weights.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's parameters.
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``solver="lbfgs"``.
"""

_DOC_ATTRS = """
    coefs_ : list of ndarray of shape (n_in, n_out)
        Weight matrices (dtype of ``X``: float32 input trains in float32).
    intercepts_ : list of ndarray of shape (n_out,)
    n_iter_ : int
        Epochs (L-BFGS: iterations) of the last call to ``fit`` (1 for
        ``partial_fit``), as scikit-learn; ``loss_curve_`` and ``history_``
        accumulate over warm starts.
    loss_curve_ : list of float
        Objective (data loss + penalty) after each epoch; the data part is
        accumulated over the minibatches, as scikit-learn reports it.
    best_loss_ : float or None
        Best training objective (``None`` with ``early_stopping``).
    loss_ : float
        Final objective (``solver="lbfgs"`` only).
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    t_ : int
        Number of training samples seen.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
    history_ : dict of ndarray
        ``"l1_norm"``, ``"l2_norm"`` (Frobenius) and ``"zero_fraction"`` (share
        of exact zeros) of every weight matrix after every epoch, shape
        ``(n_epochs, n_layers_ - 1)``; ``"loss"`` and ``"validation_score"``
        (NaN without ``early_stopping``) per epoch; ``"kept"`` (bool) is True
        at the one epoch whose weights ``coefs_`` holds (the best validation
        epoch with ``early_stopping``, else the last).
    inactive_features_ : ndarray of int
        Input features whose outgoing first-layer weights are all exactly zero
        (the network ignores them).
    n_parameters_ : int
        Number of weights and biases.
    input_features_ : ndarray of int
        Only on an estimator returned by :meth:`shrink`: the columns of ``X``
        its first layer reads.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` has string column names.
"""

_DOC_MAPPING = """
    Mapping of ``alpha`` to other libraries: scikit-learn's MLP adds
    ``alpha_sk/(2*batch_size)*||W||^2`` to each minibatch loss under sgd/adam
    (coupled, divided by the batch size; with lbfgs the batch is the whole data),
    so ``alpha = alpha_sk / batch_size`` with ``l1_ratio=0, decay="coupled"``.
    Keras' ``l2(l)`` adds ``l*||W||^2`` (no 1/2) to a mean loss: ``alpha = 2*l``.
    PyTorch's ``weight_decay=wd`` is coupled L2 with ``alpha = wd`` in ``SGD`` and
    ``Adam`` and decoupled decay with ``alpha = wd`` in ``AdamW`` (PyTorch also
    decays the biases unless they are excluded; skdecay never does).  Keras' and
    PyTorch's L1 is a subgradient, which never produces exact zeros.
"""


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


class _State(NamedTuple):
    """What the last *complete* epoch (or L-BFGS iteration) leaves behind.

    Training replaces the whole tuple in one assignment at the end of each
    epoch, so an interrupt sees either the previous or the next state, never a
    mix; the lists of the fit (loss curve, history rows, validation scores) are
    truncated to ``n_rows`` / ``n_val`` when the fit ends.
    """

    params: np.ndarray
    m: np.ndarray
    v: np.ndarray
    step: int  # optimizer steps (Adam's t)
    epochs: int  # epochs over all fits (seeds the shuffles)
    n_iter: int  # epochs of this fit
    t: int  # samples seen
    lr: float
    no_improvement: int
    best_loss: float
    best_val: float
    best_params: np.ndarray
    kept: int  # history row of the weights kept (-1: none)
    n_rows: int
    n_val: int


class _Problem(NamedTuple):
    """The training data and penalty, built once by ``fit`` and read by the solvers."""

    X: np.ndarray  # dense rows, or an empty (0, p) array for CSR input
    xdata: np.ndarray
    xind: np.ndarray
    xptr: np.ndarray
    Y: np.ndarray
    s: np.ndarray  # sample weights, rescaled to sum to len(rows) over rows
    rows: np.ndarray  # training rows
    batch: int
    layout: np.ndarray
    lam1: np.ndarray
    lam2: np.ndarray
    groups: np.ndarray
    glam: np.ndarray
    alpha: np.ndarray
    l1r: np.ndarray
    group_alpha: np.ndarray


class _BaseMLP(VersionedMixin, DocLinkMixin, CallbackSupportMixin, BaseEstimator):
    """Training loop shared by the six estimators."""

    _fixed_l1_ratio: float | None = None

    # -- subclasses: targets ------------------------------------------------
    def _targets(self, y, first: bool, classes=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _score_val(self, Y, Z, s) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coefs_")

    # -- penalty ------------------------------------------------------------
    def _ratios(self, n_mat: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        alpha = _per_layer(self.alpha, n_mat, "alpha", None)
        l1r = self._fixed_l1_ratio if self._fixed_l1_ratio is not None else self.l1_ratio
        group = _per_layer(self.group_alpha, n_mat, "group_alpha", None)
        return alpha, _per_layer(l1r, n_mat, "l1_ratio", 1.0), group

    def _penalty(self, coefs, problem: _Problem) -> float:
        return sum(
            penalty_value(W, a, r, 1.0)
            for W, a, r in zip(coefs, problem.alpha, problem.l1r, strict=True)
        ) + group_penalty_value(coefs, problem.group_alpha)

    # -- fitting -------------------------------------------------------------
    def _hidden(self) -> list[int]:
        h = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if h.ndim != 1 or not all(isinstance(v, _Integral | np.integer) for v in h.tolist()):
            raise ValueError(f"hidden_layer_sizes must be a sequence of int; got {h!r}.")
        if np.any(h < 1):
            raise ValueError(f"hidden_layer_sizes must be > 0; got {h.tolist()}.")
        return [int(v) for v in h]

    def _validate_X(self, X, y="no_validation", reset: bool = False):
        kw = dict(reset=reset, accept_sparse="csr", dtype=FLOATS, order=None)
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, **kw)
        else:
            kw.update(multi_output=True, y_numeric=isinstance(self, RegressorMixin))
            X, y = validate_data(self, X, y, **kw)
        # CSR indices need not be sorted (the kernels sum over a row's entries)
        if not sp.issparse(X) and not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.ascontiguousarray(X)  # strided views: one copy (C or F order: none)
        return X, y

    def _fit(self, X, y, sample_weight, incremental: bool, classes=None):
        first = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        done = []
        try:
            return self._fit_once(X, y, sample_weight, incremental, classes, first, done)
        except KeyboardInterrupt:
            if first and not done:  # outside the epoch loop, before the commit
                self._forget()
            raise

    def _fit_once(self, X, y, sample_weight, incremental, classes, first: bool, done: list):
        X, y = self._validate_X(X, y, reset=first)
        if not first and getattr(self, "input_features_", None) is not None:
            X = X[:, self.input_features_]  # a shrunk network reads its kept inputs
        dtype = X.dtype
        Y = self._targets(y, first, classes).astype(dtype)
        sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        if not incremental:
            self._check_weighted_targets(y, sw)
        sizes = [X.shape[1], *self._hidden(), Y.shape[1]]
        layout, n_params = layout_of(sizes)
        alpha, l1r, group_alpha = self._ratios(len(sizes) - 1)
        lbfgs = self.solver == "lbfgs"
        if lbfgs and np.any(group_alpha > 0):
            raise ValueError(
                "group_alpha > 0 needs a stochastic solver ('adam' or 'sgd'); solver='lbfgs' "
                "supports the elastic-net penalty (L1 through OWL-QN)."
            )
        state = self._resume(sizes, n_params, dtype, first)
        early = self.early_stopping and not incremental and not lbfgs
        rows, val = np.arange(X.shape[0]), None
        if early:
            rows, val = self._split(X.shape[0], y)
        n = rows.size
        s = (sw * (n / np.sum(sw[rows]))).astype(dtype)
        if self.batch_size != "auto" and self.batch_size > n and not lbfgs:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the number of samples "
                f"({n}); using {n}.",
                UserWarning,
                stacklevel=3,
            )
        batch = min(200 if self.batch_size == "auto" else int(self.batch_size), n)
        lam1 = np.zeros(n_params, dtype)
        lam2 = np.zeros(n_params, dtype)
        for (wo, _, ni, no), a, r in zip(layout, alpha, l1r, strict=True):
            lam1[wo : wo + ni * no] = a * r
            lam2[wo : wo + ni * no] = a * (1 - r)
        groups, glam = row_groups(layout, group_alpha, dtype)
        if sp.issparse(X):
            data = (np.empty((0, X.shape[1]), dtype), X.data, X.indices, X.indptr)
        else:
            data = (X, np.empty(0, dtype), np.empty(0, np.int32), np.empty(0, np.int32))
        problem = _Problem(
            *data, Y, s, rows, batch, layout, lam1, lam2, groups, glam, alpha, l1r, group_alpha
        )
        lists = self._lists(first)
        lists["fit_data"] = (X, y)  # what the callbacks' epoch tasks report
        ctx = begin_fit(self, max_subtasks=1 if incremental else self.max_iter, X=X, y=y)
        with _one_blas_thread():
            if lbfgs:
                final, interrupted = self._train_lbfgs(state, problem, lists)
            else:
                final, interrupted = self._train(state, problem, val, incremental, lists)
        if interrupted and final.n_iter == 0:
            if first:
                raise KeyboardInterrupt  # _fit leaves the estimator unfitted
            warnings.warn(
                "Training interrupted by user before the first epoch ended; the estimator "
                "keeps its previous state.",
                UserWarning,
                stacklevel=3,
            )
            return self
        if interrupted:
            warnings.warn(
                f"Training interrupted by user; the estimator holds the weights of the "
                f"last complete epoch ({final.n_iter} of this fit).",
                UserWarning,
                stacklevel=3,
            )
        self._commit(final, problem, lists, sizes, early, incremental, first)
        end_fit(ctx, self, X=X, y=y)
        done.append(True)
        return self

    def _forget(self) -> None:
        """Back to unfitted: drop every fitted attribute (an interrupted first fit)."""
        for key in list(vars(self)):
            if (key.endswith("_") and not key.startswith("__")) or key in _PRIVATE_STATE:
                delattr(self, key)

    def _lists(self, first: bool) -> dict:
        """The growing lists of this fit: loss curve, validation scores, history rows."""
        if first:
            hist = {key: [] for key in _HISTORY_KEYS}
            return {"loss_curve": [], "val": [], "hist": hist}
        hist = {key: list(self.history_[key]) for key in _HISTORY_KEYS}
        val = list(self.validation_scores_ or [])
        return {"loss_curve": list(self.loss_curve_), "val": val, "hist": hist}

    def _resume(self, sizes, n_params: int, dtype, first: bool) -> _State:
        """The starting state: a fresh initialisation, or the fitted weights (warm start)."""
        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        if not first:
            if [W.shape for W in self.coefs_] != shapes:
                raise ValueError(
                    "warm_start / partial_fit: the layer sizes changed "
                    f"({[W.shape for W in self.coefs_]} -> {sizes}); refit from scratch."
                )
            params = pack(self.coefs_, self.intercepts_, dtype)
            rows = len(self.history_["loss"])
            return _State(
                params, self._m.astype(dtype), self._v.astype(dtype), self._step,
                self._epochs, 0, self.t_, self._lr, self._no_improvement,
                np.inf if self.best_loss_ is None else self.best_loss_,
                -np.inf if self.best_validation_score_ is None else self.best_validation_score_,
                params.copy(), int(np.argmax(self.history_["kept"])) if rows else -1,
                rows, len(self.validation_scores_ or []),
            )  # fmt: skip
        rng = check_random_state(self.random_state)
        factor = 2.0 if self.activation == "logistic" else 6.0  # Glorot, as scikit-learn
        coefs, intercepts = [], []
        for n_in, n_out in shapes:
            bound = np.sqrt(factor / (n_in + n_out))
            coefs.append(rng.uniform(-bound, bound, (n_in, n_out)))
            intercepts.append(rng.uniform(-bound, bound, n_out))
        self._seed = int(rng.randint(np.iinfo(np.int32).max))
        params = pack(coefs, intercepts, dtype)
        zeros = np.zeros(n_params, dtype)
        return _State(
            params, zeros, zeros.copy(), 0, 0, 0, 0, float(self.learning_rate_init), 0,
            np.inf, -np.inf, params.copy(), -1, 0, 0,
        )  # fmt: skip

    def _split(self, n: int, y):
        """Row indices ``(train, validation)``: ``validation_fraction`` held out
        (stratified for classifiers); ``X`` itself is not copied."""
        tr, va = train_test_split(
            np.arange(n),
            random_state=self._seed,
            test_size=self.validation_fraction,
            stratify=y if self._stratify(y) else None,
        )
        if len(va) < 2:
            raise ValueError(
                "The validation set is too small (fewer than 2 samples); raise "
                "validation_fraction or disable early_stopping."
            )
        return np.sort(tr), np.sort(va)

    def _validation_score(self, problem: _Problem, val, params) -> float:
        """Score on the held-out rows, predicted one minibatch of rows at a time."""
        coefs, intercepts = unpack(params, problem.layout)
        source = self._source(problem)
        Z = np.concatenate(
            [
                forward(source[val[i : i + problem.batch]], coefs, intercepts, self.activation)
                for i in range(0, val.size, problem.batch)
            ]
        )
        return self._score_val(problem.Y[val], Z, problem.s[val])

    @staticmethod
    def _source(problem: _Problem):
        """The input matrix of the problem (dense, or the CSR matrix rebuilt as a view)."""
        if problem.xptr.size:
            shape = (problem.xptr.size - 1, problem.X.shape[1])
            return sp.csr_matrix((problem.xdata, problem.xind, problem.xptr), shape=shape)
        return problem.X

    def _objective(self, problem: _Problem, params) -> float:
        """Full objective on the training rows (chunked: no copy of X)."""
        grad = np.empty_like(params)
        with np.errstate(all="ignore"):
            loss = _mlp.full_loss_grad(
                problem.X, problem.xdata, problem.xind, problem.xptr, problem.Y, problem.s,
                problem.rows, problem.batch, params, problem.layout,
                ACTIVATIONS[self.activation], self._out_code, grad,
            )  # fmt: skip
            coefs, _ = unpack(params, problem.layout)
            return loss / problem.rows.size + self._penalty(coefs, problem)

    def _train(self, state: _State, problem: _Problem, val, incremental: bool, lists: dict):
        """The epoch loop: one kernel call per epoch, stopping rule, divergence guard.

        Returns ``(state, interrupted)``: the state after the last complete
        epoch (a ``KeyboardInterrupt`` stops the loop there).
        """
        P = problem
        n, dtype = P.rows.size, P.Y.dtype
        chain = optim.make_chain(self.solver, self.decay)
        schedule = self.learning_rate if self.solver == "sgd" else "constant"
        act = ACTIVATIONS[self.activation]
        early = val is not None
        # (weights, their history row): [initial, start of the previous epoch]
        checkpoints = [(state.params, state.kept), (state.params, state.kept)]
        converged = False
        loss_curve, hist, vals = lists["loss_curve"], lists["hist"], lists["val"]
        reference = loss_curve[0] if incremental and loss_curve else None
        try:
            for _ in range(1 if incremental else self.max_iter):
                shuffler = np.random.RandomState((self._seed + state.epochs) % (2**31))
                perm = P.rows[shuffler.permutation(n)] if self.shuffle else P.rows
                params, m, v = state.params.copy(), state.m.copy(), state.v.copy()
                hyper = optim.hyper_parameters(
                    state.lr, self.momentum, self.nesterovs_momentum, self.beta_1, self.beta_2,
                    self.epsilon, dtype,
                )  # fmt: skip
                loss_sum, step = _mlp.mlp_epoch(
                    P.X, P.xdata, P.xind, P.xptr, P.Y, P.s, perm, P.batch, params, P.layout,
                    act, self._out_code, chain, hyper, P.lam1, P.lam2, P.groups, P.glam,
                    m, v, state.step,
                )  # fmt: skip
                coefs, _ = unpack(params, P.layout)
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = float(loss_sum / n + self._penalty(coefs, P))
                reference = loss if reference is None else reference
                # tenfold the first loss of this fit (of the first partial_fit) = diverging
                exploded = loss > 10 * reference + 1e-8
                if exploded or not (np.isfinite(loss) and np.all(np.isfinite(params))):
                    state = self._restore(state, checkpoints, P, early)
                    warnings.warn(
                        f"Training diverged in epoch {state.epochs + 1} (the loss became "
                        "non-finite or grew tenfold); the weights were restored to their "
                        "values before that epoch (or earlier, if those were not finite). "
                        f"The learning rate (learning_rate_init={self.learning_rate_init}) "
                        "is probably too large: lower it, or standardize X.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
                    converged = True  # no second warning about max_iter
                    break
                row = state.n_rows
                del loss_curve[row:], vals[state.n_val :]
                for key in _HISTORY_KEYS:
                    del hist[key][row:]
                loss_curve.append(loss)
                self._record(hist, coefs, loss)
                if self.verbose:
                    print(f"Iteration {state.epochs + 1}, loss = {loss:.8f}")
                best_loss, best_val, no_imp = state.best_loss, state.best_val, state.no_improvement
                best_params, kept = state.best_params, row
                if early:
                    score = self._validation_score(P, val, params)
                    hist["validation_score"][-1] = score
                    vals.append(score)
                    if self.verbose:
                        print(f"Validation score: {score:f}")
                    no_imp = no_imp + 1 if score < best_val + self.tol else 0
                    if score > best_val:
                        best_val, best_params = score, params
                    else:
                        kept = state.kept
                else:
                    no_imp = no_imp + 1 if loss > best_loss - self.tol else 0
                    best_loss = min(best_loss, loss)
                    best_params = params
                t_seen = state.t + n
                lr = optim.scheduled_learning_rate(
                    schedule, state.lr, self.learning_rate_init, self.power_t, t_seen
                )
                stop = False
                if no_imp > self.n_iter_no_change and not incremental:
                    lr, stop = optim.plateau_learning_rate(schedule, lr)
                    what = "Validation score" if early else "Training loss"
                    if stop and self.verbose:
                        print(
                            f"{what} did not improve more than tol={self.tol} for "
                            f"{self.n_iter_no_change} consecutive epochs. Stopping."
                        )
                    elif not stop:
                        no_imp = 0
                        if self.verbose:
                            print(f"{what} did not improve; learning rate set to {lr:f}")
                checkpoints[1] = (state.params, row - 1 if state.n_iter else checkpoints[0][1])
                state = _State(
                    params,
                    m,
                    v,
                    int(step),
                    state.epochs + 1,
                    state.n_iter + 1,
                    t_seen,
                    lr,
                    no_imp,
                    best_loss,
                    best_val,
                    best_params,
                    kept,
                    row + 1,
                    len(vals),
                )  # fmt: skip  (one assignment: the epoch is committed)
                if epoch_task(self, params, P.layout, *lists["fit_data"], state.n_iter):
                    stop = True
                if stop:
                    converged = True
                    break
        except KeyboardInterrupt:
            return state, True
        if not incremental and not converged:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return state, False

    def _restore(self, state: _State, checkpoints, problem: _Problem, early: bool) -> _State:
        """After a divergent epoch: the most recent finite weights (last epoch or earlier)."""
        last = (state.params, state.n_rows - 1 if state.n_iter else checkpoints[0][1])
        for params, row in [last, checkpoints[1], checkpoints[0]]:
            if np.all(np.isfinite(params)) and np.isfinite(self._objective(problem, params)):
                break
        if early and state.n_val:  # early stopping keeps its best weights anyway
            return state._replace(params=params)
        return state._replace(params=params, best_params=params, kept=row)

    def _train_lbfgs(self, state: _State, problem: _Problem, lists: dict):
        """Full-batch quasi-Newton: scipy's L-BFGS-B (smooth penalty) or OWL-QN (L1).

        Every iteration is committed as a state, as an epoch is; returns
        ``(state, interrupted)``.
        """
        P = problem
        n, dtype = P.rows.size, P.Y.dtype
        act = ACTIVATIONS[self.activation]
        lam2 = P.lam2.astype(np.float64)
        grad = np.empty(P.lam1.size, dtype)
        last = {}

        def fun(x):
            params = x.astype(dtype)
            with np.errstate(over="ignore", invalid="ignore"):
                loss = _mlp.full_loss_grad(
                    P.X, P.xdata, P.xind, P.xptr, P.Y, P.s, P.rows, P.batch, params,
                    P.layout, act, self._out_code, grad,
                )  # fmt: skip
            value = loss / n + 0.5 * np.dot(lam2, x * x)
            last["x"], last["f"] = x.copy(), value
            return value, grad.astype(np.float64) + lam2 * x

        loss_curve, hist = lists["loss_curve"], lists["hist"]
        current = [state]

        def callback(x):
            st = current[0]
            params = np.asarray(x, dtype=dtype).copy()
            coefs, _ = unpack(params, P.layout)
            if "x" in last and np.array_equal(last["x"], x):
                smooth = last["f"]
            else:
                smooth = fun(np.asarray(x, np.float64))[0]
            loss = float(smooth + np.dot(P.lam1, np.abs(params)))
            row = st.n_rows
            del loss_curve[row:]
            for key in _HISTORY_KEYS:
                del hist[key][row:]
            loss_curve.append(loss)
            self._record(hist, coefs, loss)
            if self.verbose:
                print(f"Iteration {st.n_iter + 1}, loss = {loss:.8f}")
            current[0] = st._replace(
                params=params, best_params=params, n_iter=st.n_iter + 1, kept=row,
                n_rows=row + 1, best_loss=min(st.best_loss, loss),
            )  # fmt: skip
            # reported to the callbacks (a stop request does not end L-BFGS)
            epoch_task(self, params, P.layout, *lists["fit_data"], st.n_iter + 1)

        x0 = state.params.astype(np.float64)
        try:
            if np.any(P.lam1 > 0):
                _, _, nit, _, converged = optim.owlqn(
                    fun, x0, P.lam1.astype(np.float64), max_iter=self.max_iter,
                    max_fun=self.max_fun, tol=self.tol, callback=callback,
                )  # fmt: skip
                message = "maximum iterations or function evaluations reached"
            else:
                res = minimize(
                    fun, x0, method="L-BFGS-B", jac=True, callback=callback,
                    options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
                )  # fmt: skip
                converged, message = res.status == 0, str(res.message)
                if res.nit != current[0].n_iter:  # the callback missed the last point
                    callback(res.x)
        except KeyboardInterrupt:
            return current[0], True
        if not converged:
            warnings.warn(
                f"lbfgs failed to converge after {current[0].n_iter} iterations ({message}); "
                "increase max_iter / max_fun or scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return current[0], False

    def _record(self, h, coefs, loss: float) -> None:
        h["l1_norm"].append([float(np.sum(np.abs(W))) for W in coefs])
        h["l2_norm"].append([float(np.linalg.norm(W)) for W in coefs])
        h["zero_fraction"].append([float(np.mean(W == 0)) for W in coefs])
        h["loss"].append(loss)
        h["validation_score"].append(np.nan)
        h["kept"].append(False)

    def _commit(self, st: _State, problem, lists, sizes, early, incremental, first) -> None:
        """Write the fitted attributes from the final state (all at once, at the end)."""
        keep_early = early and lists["val"]
        params = st.best_params if keep_early else st.params
        coefs, intercepts = unpack(params, problem.layout)
        n_mat = len(coefs)
        hist = lists["hist"]
        for key in _HISTORY_KEYS:
            del hist[key][st.n_rows :]
        kept = np.zeros(st.n_rows, dtype=bool)
        if 0 <= st.kept < st.n_rows:
            kept[st.kept] = True
        history = {
            key: np.array(hist[key], dtype=np.float64).reshape(-1, n_mat)
            if key in ("l1_norm", "l2_norm", "zero_fraction")
            else np.array(hist[key], dtype=np.float64)
            for key in _HISTORY_KEYS
            if key != "kept"
        }
        history["kept"] = kept
        coefs = [np.array(W) for W in coefs]
        a = {
            "coefs_": coefs,
            "intercepts_": [np.array(b) for b in intercepts],
            "n_layers_": len(sizes),
            "n_outputs_": sizes[-1],
            "out_activation_": OUT_ACTIVATIONS[self._out_code],
            "_m": st.m, "_v": st.v, "_step": st.step, "_epochs": st.epochs,
            "_lr": st.lr, "_no_improvement": st.no_improvement,
            "n_iter_": st.n_iter,
            "t_": st.t,
            "loss_curve_": lists["loss_curve"][: st.n_rows],
            "history_": history,
            "inactive_features_": np.flatnonzero(np.all(coefs[0] == 0, axis=1)),
            "n_parameters_": int(sum(W.size + W.shape[1] for W in coefs)),
        }  # fmt: skip
        if self.solver == "lbfgs":
            a["loss_"] = a["loss_curve_"][-1] if a["loss_curve_"] else None
        if early:
            a["validation_scores_"] = lists["val"][: st.n_val]
            a["best_validation_score_"] = st.best_val
            a["best_loss_"] = None
        else:
            a["best_loss_"] = st.best_loss
            # partial_fit keeps the validation scores of an early-stopped fit
            if not incremental or first:
                a["validation_scores_"] = a["best_validation_score_"] = None
        if first:
            self.__dict__.pop("input_features_", None)
        self.__dict__.update(a)  # one call: an interrupt sees all of it or none

    def _check_weighted_targets(self, y, sw) -> None:
        pass

    def _stratify(self, y) -> bool:
        return False

    def _decision(self, X):
        check_is_fitted(self)
        X, _ = self._validate_X(X)
        cols = getattr(self, "input_features_", None)
        if cols is not None:
            X = X[:, cols]
        with np.errstate(over="ignore"):
            return forward(
                X, self.coefs_, [b.astype(X.dtype) for b in self.intercepts_], self.activation
            )

    def shrink(self):
        """An equivalent smaller network: dead inputs and hidden units removed.

        A hidden unit (or input feature) whose outgoing weights are all exactly
        zero does not reach the output; a hidden unit whose incoming weights are
        all zero outputs a constant, which is folded into the next layer's
        bias.  Both are removed, repeatedly, from a copy of the estimator; its
        predictions equal this one's up to rounding (the folded constants).
        The copy keeps ``n_features_in_`` and reads only the columns
        ``input_features_`` of ``X`` (so it takes the same ``X``), and has
        ``hidden_layer_sizes`` set to the kept widths; ``n_parameters_`` counts
        weights and biases before (this estimator) and after (the copy).
        ``warm_start`` / ``partial_fit`` on the copy fine-tune the smaller
        network, continuing with the optimizer state of the kept parameters.

        Returns
        -------
        shrunk : estimator of the same class
        """
        check_is_fitted(self)
        coefs, intercepts, kept = prune(self.coefs_, self.intercepts_, self.activation)
        new = copy.deepcopy(self)
        base = getattr(self, "input_features_", None)
        new.input_features_ = kept[0] if base is None else base[kept[0]]
        new.coefs_, new.intercepts_ = coefs, intercepts
        new.hidden_layer_sizes = tuple(W.shape[1] for W in coefs[:-1])
        n_params = sum(W.size + b.size for W, b in zip(coefs, intercepts, strict=True))
        new.n_parameters_ = int(n_params)
        new.inactive_features_ = np.setdiff1d(np.arange(self.n_features_in_), new.input_features_)
        # the optimizer state of the kept parameters, so that fine-tuning continues
        layout, _ = layout_of([W.shape[0] for W in self.coefs_] + [self.coefs_[-1].shape[1]])
        index = np.arange(self._m.size)
        flat = []
        Ws, bs = unpack(index, layout)
        for l, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            flat += [W[np.ix_(kept[l], kept[l + 1])].ravel(), b[kept[l + 1]]]
        flat = np.concatenate(flat)
        new._m, new._v = self._m[flat].copy(), self._v[flat].copy()
        return new

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _stochastic(estimator) -> bool:
    """``partial_fit`` exists for the stochastic solvers only (as scikit-learn)."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers; {estimator.solver!r} "
            "is not stochastic."
        )
    return True


class _MLPClassifierBase(ClassifierMixin, _BaseMLP):
    def _targets(self, y, first, classes=None):
        if np.ndim(y) == 2 and np.shape(y)[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        kind = type_of_target(y)
        if first:
            if kind == "multilabel-indicator":
                self.classes_ = np.arange(y.shape[1])
            else:
                if classes is not None:
                    self.classes_ = np.unique(np.asarray(classes))
                else:
                    self.classes_ = np.unique(y)
                if len(self.classes_) < 2:
                    raise ValueError(
                        f"The classifier needs samples of at least 2 classes; got "
                        f"{len(self.classes_)} class: {self.classes_.tolist()}."
                    )
            self._label_kind = kind if kind == "multilabel-indicator" else "single"
        if self._label_kind == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError("y must be a multilabel indicator with the fitted labels.")
            self._out_code = _mlp.LOGISTIC_LOSS
            return np.asarray(y, dtype=np.float64)
        if np.ndim(y) != 1:
            raise ValueError(f"y has shape {np.shape(y)}; expected 1d labels.")
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen in the first fit / given in classes: "
                f"{unseen.tolist()} (known: {self.classes_.tolist()})."
            )
        idx = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            self._out_code = _mlp.LOGISTIC_LOSS
            return idx.astype(np.float64)[:, None]
        self._out_code = _mlp.MULTINOMIAL_LOSS
        return np.eye(len(self.classes_))[idx]

    def _check_weighted_targets(self, y, sw) -> None:
        if self._label_kind == "single":
            check_weighted_classes(y, sw)

    def _stratify(self, y) -> bool:
        return self._label_kind == "single"

    def _score_val(self, Y, Z, s) -> float:
        if self._out_code == _mlp.MULTINOMIAL_LOSS:
            return float(accuracy_score(np.argmax(Y, 1), np.argmax(Z, 1), sample_weight=s))
        return float(accuracy_score(Y, (Z > 0).astype(Y.dtype), sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` for up to ``max_iter`` epochs.

        ``y``: labels (binary or multiclass) or a multilabel indicator matrix.
        """
        sample_weight = class_weighted(self.class_weight, y, sample_weight)
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_stochastic)
    @fit_context
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)``; ``classes`` (all labels) is required on the first call."""
        if not hasattr(self, "coefs_"):
            if classes is None and type_of_target(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first call to partial_fit.")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"first call, {self.classes_.tolist()}."
            )
        known = classes if classes is not None else getattr(self, "classes_", None)
        sample_weight = class_weighted(self.class_weight, y, sample_weight, known, partial=True)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """Output-layer logits (one column for binary problems, as ``ravel``)."""
        Z = self._decision(X)
        return Z[:, 0] if Z.shape[1] == 1 and self._label_kind == "single" else Z

    def predict(self, X):
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return (Z > 0).astype(int)
        if Z.shape[1] == 1:
            return self.classes_[(Z[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(Z, axis=1)]

    def predict_proba(self, X):
        """Class probabilities (sigmoid / softmax of the logits, computed stably)."""
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return expit(Z)
        if Z.shape[1] == 1:
            p = expit(Z[:, 0])
            return np.column_stack([1 - p, p])
        return softmax(Z, axis=1)

    def predict_log_proba(self, X):
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return log_expit(Z)
        if Z.shape[1] == 1:
            return np.column_stack([log_expit(-Z[:, 0]), log_expit(Z[:, 0])])
        return log_softmax(Z, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class _MLPRegressorBase(RegressorMixin, _BaseMLP):
    def _targets(self, y, first, classes=None):
        y = np.asarray(y, dtype=np.float64)
        if self.loss == "poisson":
            if np.any(y < 0):
                raise ValueError(
                    "Some value(s) of y are negative, which is not allowed for "
                    "loss='poisson' (counts, rates, amounts >= 0)."
                )
            self._out_code = _mlp.POISSON_LOSS
        else:
            self._out_code = _mlp.SQUARED_LOSS
        if first:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs; the model has {self.n_outputs_}.")
        return Y

    def _score_val(self, Y, Z, s) -> float:
        if self._out_code == _mlp.POISSON_LOSS:
            Z = np.exp(Z)
        return float(r2_score(Y, Z, sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` (``y`` of shape (n,) or (n, n_outputs)) for up to ``max_iter``
        epochs."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_stochastic)
    @fit_context
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions: the network's output (``exp`` of it with ``loss="poisson"``)."""
        Z = self._decision(X)
        if self.out_activation_ == "exp":
            with np.errstate(over="ignore"):
                Z = np.exp(Z)
        return Z[:, 0] if self._y_1d else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# ---------------------------------------------------------------------------
# public estimators


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

_OBJECTIVE = r"""
    Minimises

    .. math::

        \frac{1}{n}\sum_i s_i\,\ell(y_i, f(x_i)) + \sum_l \alpha_l \Big(\rho_l \|W_l\|_1
        + \frac{1-\rho_l}{2}\|W_l\|_F^2\Big)

    over the weights ``W_l`` and the (unpenalised) biases, with ``rho = l1_ratio``
    and sample weights ``s`` rescaled to sum to ``n``.  Every minibatch step
    uses the weighted mean gradient of its samples plus the full penalty, so
    ``alpha`` does not depend on ``batch_size``.  Standardize ``X`` first
    (``make_pipeline(StandardScaler(), ...)``): the penalty depends on units.
    ``X`` may be dense or CSR (see the user guide, "Training MLPs").
    Training is interrupt-safe: Ctrl-C leaves the last complete epoch.
"""

_CLF_LOSS = """
    ``l`` is the multinomial log-loss (softmax output) for multiclass targets
    and the binary log-loss summed over the outputs (sigmoid) for binary and
    multilabel targets.
"""

_REG_LOSS = """
    ``l = 1/2 * sum_k (y_k - f_k(x))**2`` (identity output).  For one output this
    is scikit-learn's MLPRegressor loss; with several outputs scikit-learn also
    divides by the number of outputs.  ``loss="poisson"``: the half Poisson
    deviance ``y*log(y/mu) - y + mu`` with ``mu = exp(f(x))`` (log link, as
    scikit-learn's ``MLPRegressor(loss="poisson")``; ``y >= 0``).
"""


def _doc(title, objective_extra, l1_doc, attrs_extra="", examples=""):
    return (
        f"{title}\n{_OBJECTIVE}{objective_extra}{_DOC_MAPPING}\n    Parameters\n    ----------"
        f"{_DOC_PARAMS}{l1_doc}\n    Attributes\n    ----------{_DOC_ATTRS}{attrs_extra}"
        f"{examples}"
    )


_EXAMPLE = """
    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skdecay import LassoMLPClassifier
    >>> X, y = make_moons(n_samples=500, noise=0.25, random_state=0)
    >>> clf = LassoMLPClassifier((64, 64), alpha=1e-3, learning_rate_init=1e-2,
    ...                          max_iter=50, random_state=0).fit(X, y)
    >>> bool(clf.history_["zero_fraction"][-1].mean() > 0.5)  # mostly exact zeros
    True
    >>> bool(clf.score(X, y) > 0.9)
    True
"""


_L1_DOC = """    l1_ratio : float in [0, 1] or array-like of shape (n_layers_ - 1,), default=0.5
        Mix of L1 (1) and squared L2 (0), one value or one per weight matrix
        (e.g. ``[1, 0, 0]``: L1 on the input layer to select features, L2
        elsewhere).
"""
_LOSS_DOC = """    loss : {"squared_error", "poisson"}, default="squared_error"
        Data loss: half squared error (identity output) or half Poisson
        deviance (log link: ``predict`` returns ``exp`` of the network output).
"""
_CLASSES_DOC = """    classes_ : ndarray
        Class labels (``arange(n_labels)`` for a multilabel target).
"""


class ElasticNetMLPClassifier(_MLPClassifierBase):
    __init__ = with_class_weight(_init_elastic_net)
    _parameter_constraints = {**_EN_CONSTRAINTS, **CLASS_WEIGHT_CONSTRAINT}


class ElasticNetMLPRegressor(_MLPRegressorBase):
    __init__ = with_keyword(_init_elastic_net, "loss", "squared_error")
    _parameter_constraints = {**_EN_CONSTRAINTS, **_LOSS_CONSTRAINT}


class RidgeMLPClassifier(_MLPClassifierBase):
    __init__ = with_class_weight(_init_fixed_ratio)
    _parameter_constraints = {**_common_constraints(), **CLASS_WEIGHT_CONSTRAINT}
    _fixed_l1_ratio = 0.0


class RidgeMLPRegressor(_MLPRegressorBase):
    __init__ = with_keyword(_init_fixed_ratio, "loss", "squared_error")
    _parameter_constraints = {**_common_constraints(), **_LOSS_CONSTRAINT}
    _fixed_l1_ratio = 0.0


class LassoMLPClassifier(_MLPClassifierBase):
    __init__ = with_class_weight(_init_fixed_ratio)
    _parameter_constraints = {**_common_constraints(), **CLASS_WEIGHT_CONSTRAINT}
    _fixed_l1_ratio = 1.0


class LassoMLPRegressor(_MLPRegressorBase):
    __init__ = with_keyword(_init_fixed_ratio, "loss", "squared_error")
    _parameter_constraints = {**_common_constraints(), **_LOSS_CONSTRAINT}
    _fixed_l1_ratio = 1.0


_FIXED_NOTE = "\n    ``l1_ratio`` is fixed to {}: {}.\n"
ElasticNetMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an elastic-net weight penalty.",
    _CLF_LOSS,
    _L1_DOC + CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
)
ElasticNetMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an elastic-net weight penalty.",
    _REG_LOSS,
    _LOSS_DOC + _L1_DOC,
)
RidgeMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L2 (ridge / weight decay) penalty.",
    _CLF_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
)
RidgeMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L2 (ridge / weight decay) penalty.",
    _REG_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    _LOSS_DOC,
)
LassoMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L1 (lasso) penalty: exact zeros.",
    _CLF_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
    _EXAMPLE,
)
LassoMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L1 (lasso) penalty: exact zeros.",
    _REG_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    _LOSS_DOC,
)
