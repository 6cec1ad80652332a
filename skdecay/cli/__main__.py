"""``python -m skdecay.cli``: the same as ``skdecay``."""

import sys

from ._main import main

sys.exit(main())
