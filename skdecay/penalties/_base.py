"""What every penalty class shares: its level ``alpha`` and mixing ``l1_ratio``,
read-only (a path asks for another level with ``at``), and its repr."""

from __future__ import annotations


class Leveled:
    """``alpha`` and ``l1_ratio`` as read-only attributes (stored as ``_alpha`` and
    ``_l1_ratio``); ``_size()`` names the penalty's size in its repr."""

    _alpha: float
    _l1_ratio: float

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def l1_ratio(self) -> float:
        return self._l1_ratio

    def _size(self) -> str:  # pragma: no cover - defined by the classes
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(alpha={self._alpha!r}, l1_ratio={self._l1_ratio!r}, "
            f"{self._size()})"
        )
