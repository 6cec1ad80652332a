"""Docstrings of the MLPs, assembled from shared parts (objective, parameters,
attributes, the mapping of ``alpha`` to other libraries)."""

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

_FIXED_NOTE = "\n    ``l1_ratio`` is fixed to {}: {}.\n"
