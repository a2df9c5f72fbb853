"""Maintainer tools, apart from the lessons: `nbtools` (run and normalise the notebooks), `bench`
(speed figures for figures/benchmarks.md) and `anchor` (the reference set-up the bench times
notebook 07's recipe against).
"""
