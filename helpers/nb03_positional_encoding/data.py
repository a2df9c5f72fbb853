"""The numbers of positional encoding that notebook 03 checks: the base printed in the book's
formula, the book's own worked matrix ("I am good"), and the chapter notes' 4-dimensional table.

Sources: the book is *Getting Started with Google BERT*, ch. 1 (Korean edition 구글 BERT의 정석);
the chapter notes are the reader's study notes this series follows (§위치 인코딩 예제).
"""

from __future__ import annotations

__all__ = [
    "BOOK_PE_PRINTED",
    "BOOK_PE_TOKENS",
    "NOTES_PE_TABLE",
    "PRINTED_BASE",
]


PRINTED_BASE = 1000.0  # the base misprinted in the book's formula line (English edition, p. 26)

# The book's worked example: "I am good" with d_model = 4. The book writes its matrix as
# [sin(pos), cos(pos), sin(pos/100), cos(pos/100)] (100 = 10000^(2/4): base 10000) and prints the
# values truncated to three digits.
BOOK_PE_TOKENS = ("I", "am", "good")
BOOK_PE_PRINTED = (
    (0.0, 1.0, 0.0, 1.0),  # I
    (0.841, 0.540, 0.009, 0.999),  # am
    (0.909, -0.416, 0.019, 0.999),  # good
)

# The chapter notes' example (위치 인코딩 예제): a 4-dimensional encoding for the six words of
# "The cat sat on the mat.", one row per position, three decimals as printed. Not the book's.
NOTES_PE_TABLE = (
    (0.000, 1.000, 0.841, 0.540),  # The
    (0.841, 0.540, 0.909, -0.416),  # cat
    (0.909, -0.416, 0.141, -0.990),  # sat
    (0.141, -0.990, -0.757, -0.654),  # on
    (-0.757, -0.654, -0.958, 0.283),  # the
    (-0.958, 0.283, -0.279, 0.750),  # mat
)
