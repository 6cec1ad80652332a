"""What the command chooses from and knows: grid sizes, models, the types a written
pipeline may hold, and :class:`CLIError` (a user error: one line, exit code 2)."""

#: A numeric integer-valued target with at most this many distinct values is a class label.
MAX_CLASSES = 10
#: Grid sizes: linear models (cheap paths) and ``--model mlp`` (one training per point and fold).
N_ALPHAS, N_ALPHAS_MLP = 20, 8
#: The ``l1_ratio`` values searched for ``--model elasticnet`` and ``logistic``.
L1_RATIOS = (0.1, 0.5, 0.9, 1.0)
#: ``--groups columns``: ``l1_ratio`` then mixes L1 with the group norm (``0``: the group
#: lasso; ``1``, the plain lasso, is left out: the user asked for groups).
GROUP_L1_RATIOS = (0.0, 0.1, 0.5, 0.9)
_MODELS = ("elasticnet", "lasso", "ridge", "logistic", "mlp", "poisson", "gamma", "tweedie")
#: Log-link elastic nets (``ElasticNetRegressorCV(loss=...)``): counts, positive amounts.
_GLM = ("poisson", "gamma", "tweedie")
_REGRESSION_ONLY = ("elasticnet", "lasso", "ridge", *_GLM)
#: Tweedie's variance power when ``--power`` is not given.
DEFAULT_POWER = 1.5

#: Types besides skdecay's estimators that a pipeline written by ``skdecay fit``
#: may contain; ``predict`` trusts those of them that the file asks for, and
#: refuses a file that needs any other untrusted type.
KNOWN_TYPES = frozenset(
    {
        "builtins.slice",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.random.mtrand.RandomState",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.utils._bunch.Bunch",
        "skdecay._table.DateFeatures",
        "skdecay._table.ExposureModel",
        "skdecay._table.TextToNumber",
    }
)


class CLIError(Exception):
    """Bad input: reported as one line on stderr with exit code 2."""
