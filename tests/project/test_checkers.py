"""Every exercise checker of every notebook keeps the same promises, whatever it checks.

Found, not listed: the `check_*` names of each `helpers.nbNN_*.exercises.__all__` that
`helpers.checking.checker` made. For something that is not a function, a stub or a function that
raises, a checker prints one "Not yet:" line (the `said` fixture: one line, no traceback, no
warning); its messages do not depend on the global seed or on NumPy's print options; and it leaves
the global random generators alone. What each checker says to right and wrong answers is tested
with its notebook (tests/nbNN_*/test_exercises.py).
"""

import importlib
import importlib.util
import pkgutil
import random
import re

import numpy as np
import pytest
import torch

import helpers
from helpers.checking import checker

_MADE_BY_CHECKER = checker("example")(lambda fn: "").__code__  # every checker runs this code


def _exercise_modules() -> list:
    names = [m.name for m in pkgutil.iter_modules(helpers.__path__) if re.match(r"nb\d\d_", m.name)]
    found = [f"helpers.{n}.exercises" for n in names]
    return [importlib.import_module(m) for m in found if importlib.util.find_spec(m)]


MODULES = _exercise_modules()
FOUND = [getattr(m, name) for m in MODULES for name in m.__all__ if name.startswith("check_")]
CHECKERS = [c for c in FOUND if c.__code__ is _MADE_BY_CHECKER]
BY_HAND = {"check_sort_model"}  # takes a trained model: tests/nb07_*/test_exercises.py


def _id(check) -> str:
    return f"{check.__module__.split('.')[1][:4]}-{check.__name__}"  # nb01-check_attention


every_checker = pytest.mark.parametrize("checker", CHECKERS, ids=_id)


# --- generic answers: none of them knows what its checker asks for -------------------------------


def stub(*args):
    return None


def ellipsis_stub(*args): ...


def raises_value_error(*args):
    raise ValueError("shapes (64,) and (6,64) not aligned")


def raises_index_error(*args):
    raise IndexError("index 4 is out of bounds for axis 1 with size 4")


def divides_by_zero(*args):
    return 1 / 0


def takes_nothing():
    return 1


def returns_text(*args):
    return "0.5"


def returns_its_first_argument(*args):
    return args[0]  # gets past the call: the checker compares it (often with numbers in the hint)


def test_every_notebook_s_checkers_are_found():
    notebooks = {m.__name__.split(".")[1][:4] for m in MODULES}
    assert notebooks == {f"nb0{n}" for n in range(1, 10)}
    assert {c.__name__ for c in FOUND} - {c.__name__ for c in CHECKERS} == BY_HAND
    assert len(CHECKERS) == 25
    assert len({c.__name__ for c in CHECKERS}) == len(CHECKERS)  # the test ids stay unique


@every_checker
@pytest.mark.parametrize(
    ("value", "got"),
    [(None, "None"), (3, "a value of type int"), ("softmax", "a value of type str")],
    ids=["None", "int", "str"],
)
def test_not_a_function_is_named(said, checker, value, got):
    line = said(checker, value)
    assert line.startswith(f"Not yet: pass your function itself, e.g. `{checker.__name__}(")
    assert "(its name, without parentheses)" in line
    assert line.endswith(f"; {checker.__name__} got {got}.")


@every_checker
@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (stub, "returned None. Replace the `return None` of the stub with your code"),
        (ellipsis_stub, "returned None. Replace the `return None`"),
        (raises_value_error, "raised ValueError: shapes (64,) and (6,64) not aligned"),
        (raises_index_error, "raised IndexError: index 4 is out of bounds for axis 1 with size 4"),
        (divides_by_zero, "raised ZeroDivisionError: division by zero"),
        (takes_nothing, "raised TypeError"),
        (returns_text, ""),
    ],
    ids=lambda x: getattr(x, "__name__", "hint"),
)
def test_stubs_and_broken_functions_get_one_line(said, checker, fn, hint):
    line = said(checker, fn)
    assert line.startswith("Not yet: `")  # names the call that went wrong
    assert hint in line, line


ANSWERS = [stub, raises_value_error, returns_text, returns_its_first_argument]


@every_checker
def test_messages_are_deterministic(said, checker):
    first = [said(checker, fn) for fn in ANSWERS]
    torch.manual_seed(1)
    np.random.seed(1)  # noqa: NPY002 (the global generator a learner's code uses)
    with np.printoptions(precision=2, suppress=True):
        assert [said(checker, fn) for fn in ANSWERS] == first


@every_checker
def test_the_global_rngs_are_left_alone(said, checker):
    # the legacy global NumPy generator is the one a learner's np.random.rand(...) draws from
    torch_state, numpy_state, python_state = (
        torch.get_rng_state(),
        np.random.get_state(),  # noqa: NPY002
        random.getstate(),
    )
    for fn in ANSWERS:
        said(checker, fn)
    assert torch.equal(torch.get_rng_state(), torch_state)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert random.getstate() == python_state
