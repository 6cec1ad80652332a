"""The training loop shared by the six MLP estimators: :class:`_BaseMLP`, its fit
state and problem tuples."""

from __future__ import annotations

import copy
import warnings
from numbers import Integral as _Integral
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import optim
from .._callbacks import CallbackSupportMixin, begin_fit, end_fit, epoch_task
from .._compat import (
    DocLinkMixin,
)
from .._kernels import mlp as _mlp
from .._validation import FLOATS, check_sample_weight
from ..network import (
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
from ..penalties import penalty_value
from ..persistence import VersionedMixin
from ._params import _per_layer
from ._threads import _one_blas_thread

_HISTORY_KEYS = ("l1_norm", "l2_norm", "zero_fraction", "loss", "validation_score", "kept")
# private fitted state, dropped with the public attributes by an interrupted first fit
_PRIVATE_STATE = ("_m", "_v", "_step", "_epochs", "_lr", "_no_improvement", "_seed",
                  "_label_kind", "_y_1d")  # fmt: skip


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
                del vals[state.n_val :]
                self._record(hist, loss_curve, row, coefs, loss, state.epochs + 1)
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
            self._record(hist, loss_curve, row, coefs, loss, st.n_iter + 1)
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

    def _record(self, h, loss_curve, row: int, coefs, loss: float, iteration: int) -> None:
        """Drop what follows ``row`` (epochs rolled back), then log iteration ``iteration``."""
        del loss_curve[row:]
        for key in _HISTORY_KEYS:
            del h[key][row:]
        loss_curve.append(loss)
        h["l1_norm"].append([float(np.sum(np.abs(W))) for W in coefs])
        h["l2_norm"].append([float(np.linalg.norm(W)) for W in coefs])
        h["zero_fraction"].append([float(np.mean(W == 0)) for W in coefs])
        h["loss"].append(loss)
        h["validation_score"].append(np.nan)
        h["kept"].append(False)
        if self.verbose:
            print(f"Iteration {iteration}, loss = {loss:.8f}")

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
