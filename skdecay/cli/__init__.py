"""The ``skdecay`` command (also ``python -m skdecay``).

Three sub-commands:

``skdecay fit data.csv --target COL``
    Reads a CSV (``--sep``, ``--encoding``), decides what each column becomes
    (:mod:`skdecay._table`: index, ID-like and constant columns dropped,
    numbers written as text read, dates encoded, bounded one-hot encoding;
    one report line per decision), tunes ``alpha`` (and ``l1_ratio``) by
    cross-validation, estimates the score of the whole procedure by nested
    cross-validation of the pipeline (columns + selection), prints the table
    of the path (alpha, CV score +- std over the folds, nonzero features) and
    the selected features, then writes the path plot (PNG) and the fitted
    pipeline (``skops`` file).  ``--groups columns``: one coefficient group
    per input column (group lasso / sparse-group lasso).
``skdecay predict model.skops data.csv``
    Loads a pipeline written by ``fit`` (trusting only the known scikit-learn,
    numpy and skdecay types it needs) and writes its predictions as CSV.
``skdecay demo``
    ``fit`` on scikit-learn's bundled diabetes data, no arguments needed.

Task when ``--task``/``--model`` do not say: regression when the target is
numeric (not boolean) and either has non-integer values or more than
``MAX_CLASSES`` (10) distinct values; classification otherwise (printed, with
the reason).  Progress lines go to stderr (``--quiet`` silences them), results
to stdout.  Every user error ends with one line ``skdecay: error: ...`` on
stderr and exit code 2.

Needs the ``cli`` extra (pandas, matplotlib, skops): ``pip install "skdecay[cli]"``.
``skdecay --version`` prints the version.  numpy, pandas, matplotlib, skops,
scikit-learn and the estimators are imported inside the sub-commands, so
``--help`` and ``--version`` answer without loading them.
"""

from ._main import main
from ._predict import load_model  # noqa: F401  (public: skdecay.cli.load_model)
from ._settings import KNOWN_TYPES, L1_RATIOS, MAX_CLASSES

__all__ = ["main", "MAX_CLASSES", "L1_RATIOS", "KNOWN_TYPES"]
