"""The worked examples notebook 01 recomputes: the book's "I am good" and the chapter notes' "cat".

Two sources, kept apart (credit each to its own):
- the book: *Getting Started with Google BERT*, ch. 1, §1.2 (Korean edition 구글 BERT의 정석),
  whose self-attention example is the sentence "I am good" with d_k = 64;
- the chapter notes this series follows (a reader's study notes of §1.2 어텐션 점수 계산 예제),
  whose example is our running sentence "The cat sat on the mat".
"""

from __future__ import annotations

__all__ = [
    "BOOK_D_K",
    "BOOK_SCALED_SCORES",
    "BOOK_SCORES",
    "BOOK_SOFTMAX",
    "BOOK_TOKENS",
    "NOTES_CAT_SCORES",
    "NOTES_CAT_SOFTMAX",
]

# The book's worked example: "I am good", rows = queries, columns = keys, d_k = 64.
BOOK_TOKENS = ("I", "am", "good")
BOOK_D_K = 64
# The book's printed Q·Kᵀ. Its Q and K are printed only in part, so these are given numbers.
BOOK_SCORES = ((110.0, 90.0, 80.0), (70.0, 99.0, 70.0), (90.0, 70.0, 100.0))
# The book's printed Q·Kᵀ / √d_k.
BOOK_SCALED_SCORES = ((13.75, 11.25, 10.0), (8.75, 12.375, 8.75), (11.25, 8.75, 12.5))
# The book's printed softmax(Q·Kᵀ / √d_k), rounded as printed.
BOOK_SOFTMAX = ((0.90, 0.07, 0.03), (0.025, 0.95, 0.025), (0.21, 0.03, 0.76))

# The chapter notes' example (어텐션 점수 계산 예제): the query "cat" against every key of
# "The cat sat on the mat"; their softmax row is illustrative (it is not softmax of the scores).
NOTES_CAT_SCORES = (0.2, 1.0, 0.8, 0.1, 0.3, 0.5)
NOTES_CAT_SOFTMAX = (0.05, 0.4, 0.35, 0.02, 0.08, 0.1)
