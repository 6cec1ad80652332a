r"""Multilayer perceptrons with elastic-net weight penalties, coupled or decoupled.

Every estimator minimises

.. math::

    \frac{1}{n} \sum_i s_i \, \ell(y_i, f(x_i))
    + \sum_{l} \alpha_l \Big(\rho_l \|W_l\|_1 + \frac{1-\rho_l}{2} \|W_l\|_F^2\Big)

over the weight matrices ``W_l`` and biases of the network (``rho = l1_ratio``;
biases are never penalised; sample weights ``s`` rescaled to sum to ``n``).
Each minibatch step uses ``sum_{i in batch} s_i grad_i / batch_len`` plus the
*full* penalty, so ``alpha`` means the same for every batch size.  The data
loss ``l`` is ``1/2 * sum_k (y_k - yhat_k)**2`` (regression, identity output),
the binary log-loss summed over the outputs (sigmoid; binary and multilabel
classification) or the multinomial log-loss (softmax; multiclass).

Training runs the optimizer chains of :mod:`skdecay.optim` in the numba kernel
:func:`skdecay._kernels.mlp.mlp_epoch`, one call per epoch; Python runs the
epochs, the schedules, the stopping rule and the verbose output.

Dense input only: a sparse ``X`` is rejected with a clear error (the epoch
kernel works on dense minibatches).

Threads: training runs with BLAS limited to one thread (``threadpoolctl``).
The products of a minibatch are too small for threads to pay, and one thread
per fit is what parallel grid searches (joblib, dask workers) need to avoid
oversubscribing the cores; parallelise over fits with ``n_jobs`` instead.
"""

from __future__ import annotations

import warnings
from numbers import Integral as _Integral

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from threadpoolctl import ThreadpoolController

from . import optim
from ._compat import Integral, Interval, Real, StrOptions, fit_context
from ._kernels import mlp as _mlp
from ._validation import FLOATS, check_sample_weight, check_weighted_classes
from .network import (
    ACTIVATIONS,
    OUT_ACTIVATIONS,
    forward,
    layout_of,
    loss_and_gradient,
    pack,
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

_HISTORY_KEYS = ("l1_norm", "l2_norm", "zero_fraction", "loss", "validation_score")


_CONTROLLER: list = []


def _blas_controller() -> ThreadpoolController:
    """One ``ThreadpoolController`` per process (building one costs ~10 ms; limiting ~0.05 ms).

    Created after scipy's BLAS is loaded: numba's ``np.dot`` calls it.
    """
    if not _CONTROLLER:
        import scipy.linalg  # noqa: F401  (loads the BLAS numba uses)

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


# ---------------------------------------------------------------------------
# shared machinery

_DOC_PARAMS = """
    hidden_layer_sizes : array-like of int, default=(100,)
        Number of units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    solver : {"adam", "sgd"}, default="adam"
        Optimizer: Adam (PyTorch's formulas) or SGD with momentum (PyTorch's
        form ``buf <- momentum*buf + g``, which differs from scikit-learn's
        ``v <- momentum*v - lr*g`` only when the learning rate changes).
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
"""

_DOC_ATTRS = """
    coefs_ : list of ndarray of shape (n_in, n_out)
        Weight matrices (dtype of ``X``: float32 input trains in float32).
    intercepts_ : list of ndarray of shape (n_out,)
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Objective (data loss + penalty) after each epoch; the data part is
        accumulated over the minibatches, as scikit-learn reports it.
    best_loss_ : float or None
        Best training objective (``None`` with ``early_stopping``).
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
        (NaN without ``early_stopping``) per epoch.
    inactive_features_ : ndarray of int
        Input features whose outgoing first-layer weights are all exactly zero
        (the network ignores them).
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
        "solver": [StrOptions({"adam", "sgd"})],
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


class _BaseMLP(VersionedMixin, BaseEstimator):
    """Training loop shared by the six estimators."""

    _fixed_l1_ratio: float | None = None

    # -- subclasses: targets ------------------------------------------------
    def _targets(self, y, first: bool, classes=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def _score_val(self, X, Y, s, params, layout) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- penalty ------------------------------------------------------------
    def _ratios(self, n_mat: int) -> tuple[np.ndarray, np.ndarray]:
        alpha = _per_layer(self.alpha, n_mat, "alpha", None)
        l1r = self._fixed_l1_ratio if self._fixed_l1_ratio is not None else self.l1_ratio
        return alpha, _per_layer(l1r, n_mat, "l1_ratio", 1.0)

    def _penalty(self, coefs, alpha, l1r) -> float:
        return sum(penalty_value(W, a, r, 1.0) for W, a, r in zip(coefs, alpha, l1r, strict=True))

    # -- fitting -------------------------------------------------------------
    def _hidden(self) -> list[int]:
        h = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if h.ndim != 1 or not all(isinstance(v, _Integral | np.integer) for v in h.tolist()):
            raise ValueError(f"hidden_layer_sizes must be a sequence of int; got {h!r}.")
        if np.any(h < 1):
            raise ValueError(f"hidden_layer_sizes must be > 0; got {h.tolist()}.")
        return [int(v) for v in h]

    def _fit(self, X, y, sample_weight, incremental: bool, classes=None):
        first = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        X, y = validate_data(
            self,
            X,
            y,
            reset=first,
            dtype=FLOATS,
            order="C",
            multi_output=True,
            y_numeric=isinstance(self, RegressorMixin),
        )
        dtype = X.dtype
        Y = self._targets(y, first, classes).astype(dtype)
        sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        if not incremental:
            self._check_weighted_targets(y, sw)
        sizes = [X.shape[1], *self._hidden(), Y.shape[1]]
        layout, n_params = layout_of(sizes)
        alpha, l1r = self._ratios(len(sizes) - 1)
        params = self._resume(sizes, n_params, dtype, first, incremental)
        self.n_layers_ = len(sizes)
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = OUT_ACTIVATIONS[self._out_code]

        early = self.early_stopping and not incremental
        val = None
        if early:
            X, Y, sw, val = self._split(X, Y, sw, y)
        n = X.shape[0]
        s = (sw * (n / np.sum(sw))).astype(dtype)
        if self.batch_size != "auto" and self.batch_size > n:
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
        problem = (X, Y, s, batch, layout, lam1, lam2, alpha, l1r)
        # The minibatch products are small (batch x layer width): BLAS threads
        # cost more than they save and oversubscribe joblib/dask workers, so
        # training runs on one BLAS thread (see the class docstring).
        with _blas_controller().limit(limits=1, user_api="blas"):
            params, hist = self._train(params, problem, val, incremental)
        self._set_fitted(params, layout, early, hist)
        return self

    def _resume(self, sizes, n_params: int, dtype, first: bool, incremental: bool):
        """Fresh initialisation, or the flat vector of the fitted weights (warm start)."""
        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        if not first:
            if [W.shape for W in self.coefs_] != shapes:
                raise ValueError(
                    "warm_start / partial_fit: the layer sizes changed "
                    f"({[W.shape for W in self.coefs_]} -> {sizes}); refit from scratch."
                )
            if not incremental:
                self._lr = float(self.learning_rate_init)
                self._no_improvement = 0
            # None marks "not tracked" after a fit with / without early stopping
            if self.best_loss_ is None:
                self.best_loss_ = np.inf
            if self.validation_scores_ is None:
                self.validation_scores_ = []
            if self.best_validation_score_ is None:
                self.best_validation_score_ = -np.inf
            self._m = self._m.astype(dtype)
            self._v = self._v.astype(dtype)
            return pack(self.coefs_, self.intercepts_, dtype)
        rng = check_random_state(self.random_state)
        factor = 2.0 if self.activation == "logistic" else 6.0  # Glorot, as scikit-learn
        coefs, intercepts = [], []
        for n_in, n_out in shapes:
            bound = np.sqrt(factor / (n_in + n_out))
            coefs.append(rng.uniform(-bound, bound, (n_in, n_out)))
            intercepts.append(rng.uniform(-bound, bound, n_out))
        self._seed = int(rng.randint(np.iinfo(np.int32).max))
        self._m = np.zeros(n_params, dtype)
        self._v = np.zeros(n_params, dtype)
        self._step = 0
        self._lr = float(self.learning_rate_init)
        self._no_improvement = 0
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = []
        self.best_validation_score_ = -np.inf
        self.history_ = {key: np.empty(0) for key in _HISTORY_KEYS}
        return pack(coefs, intercepts, dtype)

    def _split(self, X, Y, sw, y):
        """Hold out ``validation_fraction`` of the samples (stratified for classifiers)."""
        tr, va = train_test_split(
            np.arange(X.shape[0]),
            random_state=self._seed,
            test_size=self.validation_fraction,
            stratify=y if self._stratify(y) else None,
        )
        if len(va) < 2:
            raise ValueError(
                "The validation set is too small (fewer than 2 samples); raise "
                "validation_fraction or disable early_stopping."
            )
        return X[tr], Y[tr], sw[tr], (X[va], Y[va], sw[va])

    def _train(self, params, problem, val, incremental: bool):
        """The epoch loop: one kernel call per epoch, stopping rule, divergence guard."""
        X, Y, s, batch, layout, lam1, lam2, alpha, l1r = problem
        n, dtype = X.shape[0], X.dtype
        chain = optim.make_chain(self.solver, self.decay)
        schedule = self.learning_rate if self.solver == "sgd" else "constant"
        act = ACTIVATIONS[self.activation]
        hist = {key: list(self.history_[key]) for key in _HISTORY_KEYS}
        early = val is not None
        checkpoints = [params.copy(), params.copy()]  # [initial, start of previous epoch]
        best_params = params.copy()
        converged = False
        reference = self.loss_curve_[0] if incremental and self.loss_curve_ else None
        for _ in range(1 if incremental else self.max_iter):
            shuffler = np.random.RandomState((self._seed + self.n_iter_) % (2**31))
            perm = shuffler.permutation(n) if self.shuffle else np.arange(n)
            start = params.copy()
            state = (self._m.copy(), self._v.copy(), self._step)
            hyper = optim.hyper_parameters(
                self._lr, self.momentum, self.nesterovs_momentum, self.beta_1, self.beta_2,
                self.epsilon, dtype,
            )  # fmt: skip
            loss_sum, step = _mlp.mlp_epoch(
                X, Y, s, perm, batch, params, layout, act, self._out_code,
                chain, hyper, lam1, lam2, self._m, self._v, self._step,
            )  # fmt: skip
            coefs, _ = unpack(params, layout)
            with np.errstate(over="ignore", invalid="ignore"):
                loss = loss_sum / n + self._penalty(coefs, alpha, l1r)
            reference = loss if reference is None else reference
            # tenfold the first loss of this fit (of the first partial_fit) = diverging
            exploded = loss > 10 * reference + 1e-8
            if exploded or not (np.isfinite(loss) and np.all(np.isfinite(params))):
                self._m, self._v, self._step = state
                params = self._last_finite([start, checkpoints[1], checkpoints[0]], layout, X, Y, s)
                warnings.warn(
                    f"Training diverged in epoch {self.n_iter_ + 1} (the loss became "
                    "non-finite or grew tenfold); the weights were restored to their values "
                    "before that epoch (or earlier, if those were not finite). "
                    f"The learning rate (learning_rate_init={self.learning_rate_init}) is "
                    "probably too large: lower it, or standardize X.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
                converged = True  # no second warning about max_iter
                break
            checkpoints[1] = start
            self._step = int(step)
            self.n_iter_ += 1
            self.t_ += n
            self.loss_curve_.append(float(loss))
            self._record(hist, coefs, float(loss))
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
            if early:
                score = self._score_val(*val, params, layout)
                hist["validation_score"][-1] = score
                if self._no_improvement_after(score, early=True):
                    best_params = params.copy()
            else:
                self._no_improvement_after(float(loss), early=False)
            self._lr = optim.scheduled_learning_rate(
                schedule, self._lr, self.learning_rate_init, self.power_t, self.t_
            )
            if self._no_improvement > self.n_iter_no_change and not incremental:
                self._lr, stop = optim.plateau_learning_rate(schedule, self._lr)
                what = "Validation score" if early else "Training loss"
                if stop:
                    if self.verbose:
                        print(
                            f"{what} did not improve more than tol={self.tol} for "
                            f"{self.n_iter_no_change} consecutive epochs. Stopping."
                        )
                    converged = True
                    break
                self._no_improvement = 0
                if self.verbose:
                    print(f"{what} did not improve; learning rate set to {self._lr:f}")
        if not incremental and not converged:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return (best_params if early and self.validation_scores_ else params), hist

    def _no_improvement_after(self, value: float, early: bool) -> bool:
        """scikit-learn's rule: count epochs without a ``tol`` improvement; True if best."""
        if early:
            self.validation_scores_.append(value)
            if self.verbose:
                print(f"Validation score: {value:f}")
            worse = value < self.best_validation_score_ + self.tol
            best = value > self.best_validation_score_
            if best:
                self.best_validation_score_ = value
        else:
            worse = value > self.best_loss_ - self.tol
            best = value < self.best_loss_
            if best:
                self.best_loss_ = value
        self._no_improvement = self._no_improvement + 1 if worse else 0
        return best

    def _last_finite(self, candidates, layout, X, Y, s):
        """The most recent parameters whose training loss is finite."""
        for cand in candidates:
            coefs, intercepts = unpack(cand, layout)
            with np.errstate(all="ignore"):
                loss, _, _ = loss_and_gradient(
                    X, Y, s, coefs, intercepts, self.activation, self._out_code
                )
            if np.all(np.isfinite(cand)) and np.isfinite(loss):
                return cand
        return candidates[-1]

    def _record(self, h, coefs, loss: float) -> None:
        h["l1_norm"].append([float(np.sum(np.abs(W))) for W in coefs])
        h["l2_norm"].append([float(np.linalg.norm(W)) for W in coefs])
        h["zero_fraction"].append([float(np.mean(W == 0)) for W in coefs])
        h["loss"].append(loss)
        h["validation_score"].append(np.nan)

    def _set_fitted(self, params, layout, early: bool, h: dict) -> None:
        coefs, intercepts = unpack(params, layout)
        self.coefs_ = [np.array(W) for W in coefs]
        self.intercepts_ = [np.array(b) for b in intercepts]
        if early:
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        n_mat = len(self.coefs_)
        self.history_ = {
            key: np.array(h[key], dtype=np.float64).reshape(-1, n_mat)
            if key in ("l1_norm", "l2_norm", "zero_fraction")
            else np.array(h[key], dtype=np.float64)
            for key in _HISTORY_KEYS
        }
        self.inactive_features_ = np.flatnonzero(np.all(self.coefs_[0] == 0, axis=1))

    def _check_weighted_targets(self, y, sw) -> None:
        pass

    def _stratify(self, y) -> bool:
        return False

    def _decision(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOATS, order="C")
        with np.errstate(over="ignore"):
            return forward(
                X, self.coefs_, [b.astype(X.dtype) for b in self.intercepts_], self.activation
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


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

    def _score_val(self, X, Y, s, params, layout) -> float:
        coefs, intercepts = unpack(params, layout)
        Z = forward(X, coefs, intercepts, self.activation)
        if self._out_code == _mlp.MULTINOMIAL_LOSS:
            return float(accuracy_score(np.argmax(Y, 1), np.argmax(Z, 1), sample_weight=s))
        return float(accuracy_score(Y, (Z > 0).astype(Y.dtype), sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` for up to ``max_iter`` epochs.

        ``y``: labels (binary or multiclass) or a multilabel indicator matrix.
        """
        return self._fit(X, y, sample_weight, incremental=False)

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
    _out_code = _mlp.SQUARED_LOSS

    def _targets(self, y, first, classes=None):
        y = np.asarray(y, dtype=np.float64)
        if first:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs; the model has {self.n_outputs_}.")
        return Y

    def _score_val(self, X, Y, s, params, layout) -> float:
        coefs, intercepts = unpack(params, layout)
        return float(r2_score(Y, forward(X, coefs, intercepts, self.activation), sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` (``y`` of shape (n,) or (n, n_outputs)) for up to ``max_iter``
        epochs."""
        return self._fit(X, y, sample_weight, incremental=False)

    @fit_context
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        Z = self._decision(X)
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
):
    _store(self, locals())


def _store(self, params: dict) -> None:
    for name, value in params.items():
        if name != "self":
            setattr(self, name, value)


def _init_fixed_ratio(
    self,
    hidden_layer_sizes=(100,),
    activation="relu",
    *,
    solver="adam",
    decay="decoupled",
    alpha=1e-4,
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
):
    _store(self, locals())


_EN_CONSTRAINTS = {
    **_common_constraints(),
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
}

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
    Dense ``X`` only (sparse input raises a ``TypeError``).
"""

_CLF_LOSS = """
    ``l`` is the multinomial log-loss (softmax output) for multiclass targets
    and the binary log-loss summed over the outputs (sigmoid) for binary and
    multilabel targets.
"""

_REG_LOSS = """
    ``l = 1/2 * sum_k (y_k - f_k(x))**2`` (identity output).  For one output this
    is scikit-learn's MLPRegressor loss; with several outputs scikit-learn also
    divides by the number of outputs.
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
_CLASSES_DOC = """    classes_ : ndarray
        Class labels (``arange(n_labels)`` for a multilabel target).
"""


class ElasticNetMLPClassifier(_MLPClassifierBase):
    __init__ = _init_elastic_net
    _parameter_constraints = _EN_CONSTRAINTS


class ElasticNetMLPRegressor(_MLPRegressorBase):
    __init__ = _init_elastic_net
    _parameter_constraints = _EN_CONSTRAINTS


class RidgeMLPClassifier(_MLPClassifierBase):
    __init__ = _init_fixed_ratio
    _parameter_constraints = _common_constraints()
    _fixed_l1_ratio = 0.0


class RidgeMLPRegressor(_MLPRegressorBase):
    __init__ = _init_fixed_ratio
    _parameter_constraints = _common_constraints()
    _fixed_l1_ratio = 0.0


class LassoMLPClassifier(_MLPClassifierBase):
    __init__ = _init_fixed_ratio
    _parameter_constraints = _common_constraints()
    _fixed_l1_ratio = 1.0


class LassoMLPRegressor(_MLPRegressorBase):
    __init__ = _init_fixed_ratio
    _parameter_constraints = _common_constraints()
    _fixed_l1_ratio = 1.0


_FIXED_NOTE = "\n    ``l1_ratio`` is fixed to {}: {}.\n"
ElasticNetMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an elastic-net weight penalty.",
    _CLF_LOSS,
    _L1_DOC,
    _CLASSES_DOC,
)
ElasticNetMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an elastic-net weight penalty.", _REG_LOSS, _L1_DOC
)
RidgeMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L2 (ridge / weight decay) penalty.",
    _CLF_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    "",
    _CLASSES_DOC,
)
RidgeMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L2 (ridge / weight decay) penalty.",
    _REG_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    "",
)
LassoMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L1 (lasso) penalty: exact zeros.",
    _CLF_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    "",
    _CLASSES_DOC,
    _EXAMPLE,
)
LassoMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L1 (lasso) penalty: exact zeros.",
    _REG_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    "",
)
