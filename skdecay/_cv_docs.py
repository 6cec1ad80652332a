"""The docstring text shared by :mod:`skdecay.model_selection`'s two CV estimators."""

from __future__ import annotations

__all__ = ["fill_doc"]


def fill_doc(cls):
    """Insert the text shared by both CV estimators into ``cls.__doc__``."""
    doc = cls.__doc__
    for key, text in (("shared_doc", DOC), ("shared_params", PARAMS), ("shared_attrs", ATTRS)):
        doc = doc.replace("    {" + key + "}\n", text)
    cls.__doc__ = doc
    return cls


DOC = """
    For each ``l1_ratio`` an alpha grid is computed on the full data
    (:func:`~skdecay.alpha_grid`: ``n_alphas`` values from ``alpha_max`` down to
    ``eps * alpha_max``) unless ``alphas`` is an explicit grid; every fold then
    runs a warm-started path on its training rows and scores each ``alpha`` on
    its held-out rows.  For each candidate (an ``l1_ratio``, with a list
    ``gamma`` of MCP / SCAD each ``gamma``, with ``relax`` each
    ``relax_gamma``, in that order) the first (largest) ``alpha`` with the best
    mean score over folds is kept, then the first candidate with a strictly
    better score wins (scikit-learn's tie rule): that is ``alpha_min_``.
    ``alpha_1se_`` is the largest ``alpha`` (same candidate) whose mean score
    is within one standard error of the best (glmnet's ``lambda.1se``: a
    sparser, more regularised model that is statistically as good).  The model
    is refitted on all the data at ``alpha_`` (one of the two, by
    ``alpha_selection``) and the chosen candidate.

    Non-convex penalties (``penalty="mcp"`` or ``"scad"``) are cross-validated
    as ncvreg's ``cv.ncvreg``: every fold follows its path from ``alpha_max``
    down, each fit started at the previous one (the path of local solutions
    that the refit, itself warm-started from zero, approximates at
    ``alpha_``).  The relaxed fit (``relax=True``) is glmnet's
    ``cv.glmnet(relax=TRUE)``: at every ``alpha`` of a fold's path the model is
    refitted without penalty on its active set, and each mix
    ``relax_gamma * penalised + (1 - relax_gamma) * refitted`` is scored.

"""

PARAMS = """    l1_ratio : float or array-like of floats in [0, 1], default=0.5
        Mix of L1 and L2; a list is searched together with ``alpha``.  An
        automatic grid needs ``l1_ratio > 0`` (give ``alphas`` explicitly for 0).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like of shape (n_alphas,), default=100
        Number of alphas of the automatic grid (per ``l1_ratio``), or the grid
        itself (sorted decreasing, shared by every ``l1_ratio``).
    n_alphas : int, default=None
        Same as an integer ``alphas`` (the spelling of scikit-learn < 1.7,
        kept for convenience); ``None`` uses ``alphas``.
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers (0: unpenalised, ``np.inf``: excluded),
        also used by the grid.
    positive : bool, default=False
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (containing 0), as in
        :class:`~skdecay.ElasticNetRegressor`; the grid starts at the boxed
        :func:`~skdecay.alpha_max`.
    penalty : {"elastic_net", "mcp", "scad"}, default="elastic_net"
        MCP or SCAD (Breheny's parametrisation, as ncvreg) instead of the L1
        part, as in :class:`~skdecay.ElasticNetRegressor`; the grid starts at
        the lasso's ``alpha_max`` (the same for every ``gamma``).
    gamma : float > 1 or array-like of floats, default=None
        The concavity of MCP (default 3, > 1) or SCAD (default 3.7, > 2); a
        list is cross-validated together with ``alpha`` (one path per
        ``gamma`` and fold).  Ignored by the elastic net.
    relax : bool, default=False
        Cross-validate the relaxed fit (glmnet's ``relax=TRUE``) over
        ``relax_gamma`` too, and refit it at ``relax_gamma_``.
    relax_gamma : float or array-like of floats in [0, 1], default=(0, 0.25, 0.5, 0.75, 1)
        The mixes tried with ``relax=True`` (glmnet's default ``gamma``): 0 the
        unpenalised refit on the active set, 1 the penalised fit.
    groups : array-like of shape (n_features,), list of index arrays or callable, default=None
        Feature groups: the sparse-group lasso of
        :class:`~skdecay.ElasticNetRegressor` (``l1_ratio`` then mixes L1 and
        the group norm; ``l1_ratio=0`` is the group lasso, whose automatic grid
        starts at the group ``alpha_max``); with more than two classes a group
        is its features' block across all classes.  Not to be confused with the *sample* ``groups`` that
        :meth:`fit` passes to the splitter.
    group_weights : array-like of shape (n_groups,), default=None
        Default ``sqrt(|g|)``.
    cv : int, cross-validation generator or iterable, default=None
        Anything :func:`sklearn.model_selection.check_cv` accepts; ``None`` is
        5-fold (``KFold`` for regression, ``StratifiedKFold`` for classification).
    alpha_selection : {"min", "1se"}, default="min"
        Which ``alpha`` the refit uses: ``"min"`` the best mean held-out score
        (``alpha_min_``, scikit-learn's choice), ``"1se"`` the largest ``alpha``
        within one standard error of it (``alpha_1se_``, glmnet's
        ``lambda.1se``).  Both are always reported.
    n_jobs : int, default=None
        Parallel ``(l1_ratio, gamma, fold)`` tasks through joblib (threads).
    verbose : int or bool, default=0
        joblib's verbosity.
    selection : {"cyclic", "random"}, default="cyclic"
    random_state : int, RandomState instance or None, default=None
        Seeds of ``selection="random"`` (one per task, drawn once, so results
        do not depend on ``n_jobs``).
"""

ATTRS = """    alpha_ : float
        The ``alpha`` of the refit (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_ : float
        The ``alpha`` of the best mean held-out score.
    alpha_1se_ : float
        The largest ``alpha`` whose mean held-out score is within one standard
        error (over folds) of the best, for the chosen candidate.
    l1_ratio_ : float
    gamma_ : float
        The chosen concavity (``penalty="mcp"`` or ``"scad"`` only).
    relax_gamma_ : float
        The chosen relaxed mix (``relax=True`` only).
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grids; 1-D for a single ``l1_ratio`` or an explicit ``alphas``
        (scikit-learn's layout).
    scores_path_ : ndarray of shape (n_l1_ratio, [n_gamma,] [n_relax_gamma,] n_alphas, n_folds)
        Held-out scores, higher is better, never squeezed, except for the two
        optional axes: ``n_gamma`` only when ``gamma`` is a list (MCP / SCAD),
        ``n_relax_gamma`` only with ``relax=True`` (in the order of
        ``relax_gamma``: with the default, ``[:, 0]`` is the unpenalised refit
        and ``[:, -1]`` the penalised path).
    cv_scores_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        ``scores_path_`` at the chosen ``gamma_`` and ``relax_gamma_`` (the
        layout of scikit-learn's ``ElasticNetCV.mse_path_``): what
        :class:`~skdecay.plotting.CVScoreDisplay` draws.
    score_name_ : str
        What the scores are: ``scoring`` when a string, else "accuracy"
        (classifier), "neg. MSE" or "neg. mean Poisson deviance" (Gamma,
        Tweedie with its power) after ``loss``.
"""
