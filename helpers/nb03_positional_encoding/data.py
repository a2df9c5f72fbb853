"""The numbers of positional encoding that notebook 03 checks: the base printed in the book's
formula, and the chapter notes' 4-dimensional table.
"""

from __future__ import annotations

__all__ = ["BOOK_PE_TABLE", "PRINTED_BASE"]


PRINTED_BASE = 1000.0  # the base printed in the book's formula (English edition, p. 26)


# The book's worked example (§1.2 위치 인코딩 예제): a 4-dimensional encoding for the six words of
# "The cat sat on the mat.", one row per position, three decimals as printed.
BOOK_PE_TABLE = (
    (0.000, 1.000, 0.841, 0.540),  # The
    (0.841, 0.540, 0.909, -0.416),  # cat
    (0.909, -0.416, 0.141, -0.990),  # sat
    (0.141, -0.990, -0.757, -0.654),  # on
    (-0.757, -0.654, -0.958, 0.283),  # the
    (-0.958, 0.283, -0.279, 0.750),  # mat
)
