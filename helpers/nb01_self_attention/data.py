"""The chapter notes' numbers that notebook 01 recomputes: the score and softmax row of "cat"."""

from __future__ import annotations

__all__ = ["BOOK_CAT_SCORES", "BOOK_CAT_SOFTMAX"]


# The book's worked example (§1.2 어텐션 점수 계산 예제): the query "cat" against every key.
BOOK_CAT_SCORES = (0.2, 1.0, 0.8, 0.1, 0.3, 0.5)


BOOK_CAT_SOFTMAX = (0.05, 0.4, 0.35, 0.02, 0.08, 0.1)
