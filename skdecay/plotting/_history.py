"""Training curves of an MLP: :class:`TrainingHistoryDisplay`."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import _pyplot, _split_pipeline


class TrainingHistoryDisplay:
    """Training curves of an MLP: loss, validation score, weight norms and sparsity.

    Draws a 2x2 grid from an MLP's ``history_``: the training objective
    (``mean data loss + sum_l alpha_l * (l1_ratio_l * ||W_l||_1 +
    (1 - l1_ratio_l) / 2 * ||W_l||_F^2)``) per epoch, the validation score per
    epoch (only with ``early_stopping=True``; a note otherwise), the Frobenius
    norm of each weight matrix and the share of its entries that are exactly
    zero.  With ``warm_start=True`` the history covers every fit so far.  When
    the history marks the epoch whose weights the estimator kept
    (``history["kept"]``: the best validation epoch with ``early_stopping``,
    otherwise the last complete one), a dashed vertical line marks it in every
    panel.

    Parameters
    ----------
    history : dict of array-like
        ``"loss"`` (n_epochs,), ``"validation_score"`` (n_epochs,, NaN when not
        tracked), ``"l2_norm"`` and ``"zero_fraction"`` (n_epochs, n_layers);
        missing keys are drawn as empty panels with a note.
    name : str, default=None
        Figure title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2, 2)
    ax_ : matplotlib Axes
        ``axes_[0, 0]``.
    figure_ : matplotlib Figure
    lines_ : dict
        ``"loss"``: Line2D; ``"validation_score"``: Line2D or None;
        ``"l2_norm"``, ``"zero_fraction"``: list of Line2D (one per layer);
        ``"kept"``: list of the vertical lines marking the kept epoch (empty
        when the history does not mark one).

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skdecay import LassoMLPClassifier
    >>> from skdecay.plotting import TrainingHistoryDisplay
    >>> X, y = make_moons(200, noise=0.2, random_state=0)
    >>> clf = LassoMLPClassifier((16,), alpha=1e-3, max_iter=20, random_state=0)
    >>> disp = TrainingHistoryDisplay.from_estimator(clf.fit(X, y))
    >>> len(disp.lines_["l2_norm"])  # one line per weight matrix
    2
    """

    def __init__(self, history: dict, *, name: str | None = None):
        if not isinstance(history, dict):
            raise TypeError(f"history must be a dict of arrays, got {type(history).__name__}.")
        self.history = history
        self.name = name

    def plot(self, ax=None, *, mark_epoch: int | None = None, **line_kw):
        """Draw the 2x2 grid.

        Parameters
        ----------
        ax : array-like of 4 matplotlib Axes, default=None
            Axes for (loss, validation score, L2 norm, zero fraction); a new
            2x2 figure when ``None``.
        mark_epoch : int, default=None
            Draw a vertical dotted line after this epoch in every panel (e.g.
            where fine-tuning with a penalty started).
        **line_kw
            Passed to every ``Axes.plot``.

        Returns
        -------
        self : TrainingHistoryDisplay
        """
        if ax is None:
            fig, axes = _pyplot().subplots(2, 2, figsize=(9.5, 6.5), constrained_layout=True)
        else:
            axes = np.asarray(ax, dtype=object)
            if axes.size != 4:
                raise ValueError(f"ax must hold 4 Axes, got {axes.size}.")
            axes = axes.reshape(2, 2)
            fig = axes[0, 0].figure
        h = self.history
        lines: dict[str, Any] = {}
        a_loss, a_val, a_norm, a_zero = axes.ravel()

        loss = np.asarray(h.get("loss", []), dtype=np.float64)
        (lines["loss"],) = a_loss.plot(np.arange(1, loss.size + 1), loss, **line_kw)
        a_loss.set_ylabel("training objective")

        val = np.asarray(h.get("validation_score", []), dtype=np.float64)
        lines["validation_score"] = None
        if val.size and np.any(np.isfinite(val)):
            (lines["validation_score"],) = a_val.plot(np.arange(1, val.size + 1), val, **line_kw)
            a_val.set_ylabel("validation score")
        else:
            a_val.text(
                0.5,
                0.5,
                "no validation score\n(fit with early_stopping=True)",
                ha="center",
                va="center",
                transform=a_val.transAxes,
                color="0.4",
            )
            a_val.set_ylabel("validation score")

        for key, a, label in (
            ("l2_norm", a_norm, "L2 (Frobenius) norm"),
            ("zero_fraction", a_zero, "share of exact zeros"),
        ):
            values = np.asarray(h.get(key, np.empty((0, 0))), dtype=np.float64)
            if values.ndim == 1:
                values = values[:, None]
            epochs = np.arange(1, values.shape[0] + 1)
            lines[key] = [
                a.plot(epochs, values[:, j], label=f"layer {j + 1}", **line_kw)[0]
                for j in range(values.shape[1])
            ]
            a.set_ylabel(label)
            if lines[key]:
                a.legend(fontsize="small")
        a_zero.set_ylim(-0.02, 1.02)
        if lines["validation_score"] is None and loss.size:
            a_val.set_xlim(a_loss.get_xlim())
        for a in axes.ravel():
            a.set_xlabel("epoch")
            a.xaxis.get_major_locator().set_params(integer=True)
            if mark_epoch is not None:
                a.axvline(mark_epoch + 0.5, color="0.5", linestyle=":", linewidth=1)
        kept = np.flatnonzero(np.asarray(h.get("kept", []), dtype=bool))
        lines["kept"] = [
            a.axvline(kept[-1] + 1, color="C3", linestyle="--", linewidth=1, label="kept weights")
            for a in axes.ravel()
        ] if kept.size else []  # fmt: skip
        if self.name:
            fig.suptitle(self.name)
        self.axes_, self.ax_, self.figure_, self.lines_ = axes, axes[0, 0], fig, lines
        return self

    @classmethod
    def from_estimator(cls, estimator, *, name: str | None = None, ax=None, **kw):
        """Draw the history of a fitted skdecay MLP (or a Pipeline ending in one).

        Parameters
        ----------
        estimator : fitted ElasticNetMLP*/RidgeMLP*/LassoMLP* or Pipeline
        name : str, default=None
            Figure title (default: the class name).
        ax : array-like of 4 Axes, default=None
        **kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        final, _ = _split_pipeline(estimator)
        if not hasattr(final, "fit"):
            raise TypeError(f"Expected a fitted estimator, got {type(final).__name__}.")
        check_is_fitted(final)
        history = getattr(final, "history_", None)
        if not isinstance(history, dict):
            raise TypeError(
                f"{type(final).__name__} has no history_: TrainingHistoryDisplay needs a "
                "skdecay MLP (ElasticNetMLP*, RidgeMLP*, LassoMLP*)."
            )
        history = dict(history)
        if "loss" not in history and getattr(final, "loss_curve_", None) is not None:
            history["loss"] = np.asarray(final.loss_curve_)
        if getattr(final, "validation_scores_", None) and "validation_score" not in history:
            history["validation_score"] = np.asarray(final.validation_scores_)
        return cls(history, name=name or type(final).__name__).plot(ax=ax, **kw)
