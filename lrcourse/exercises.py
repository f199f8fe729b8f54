"""Exercise checkers: ``check("03.1", answer)`` says right or wrong, with a hint.

Each lesson's exercises live in ``lessons/lessonNN/exercises.py`` and compute
their answers with lrcourse itself, so the checker and the lesson can never
disagree.

>>> check("01.1", 0.5)
Right: 0.5 is correct. lr x 2w = w exactly when lr = 1/2 = 1/lambda.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from fractions import Fraction

_REGISTRY = {}
_LOADED = False


class Feedback:
    """The checker's verdict: ``correct`` and a message for the learner.

    >>> bool(Feedback(True, "Right."))
    True
    """

    def __init__(self, correct: bool, message: str) -> None:
        self.correct = bool(correct)
        self.message = message

    def __bool__(self):
        return self.correct

    def __repr__(self):
        return self.message


class Exercise:
    """One question with a computed answer, a tolerance and targeted hints.

    Args:
        id: ``"LL.N"``, lesson and number.
        question: the question as the lesson asks it.
        answer: a number, a string (for a multiple choice) or a function
            returning one (called once, when first needed).
        rel_tol / abs_tol: accepted distance from the answer (numbers).
        accept: ``(low, high)``: accept anything in this range instead.
        hints: ``[(wrong_answer, message), ...]`` for the commonest mistakes;
            a wrong answer within the same tolerance of one gets its message.
        hint: the general hint for any other wrong answer.
        explain: one line shown with a right answer.

    >>> ex = Exercise("99.1", "What is 1/8?", 0.125)
    >>> bool(ex.check("1/8")), bool(ex.check(0.2))
    (True, False)
    """

    def __init__(self, id: str, question: str, answer: object, *,
                 rel_tol: float = 0.01, abs_tol: float = 0.0,
                 accept: tuple[float, float] | None = None,
                 hints: Sequence[tuple[object, str]] = (),
                 hint: str = "Not quite; look at the panel again.", explain: str = "",
                 choices: Sequence[str] | None = None, integer: bool = False) -> None:
        self.id = id
        self.question = question
        self._answer = answer
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.accept = accept
        self.hints = list(hints)
        self.hint = hint
        self.explain = explain
        self.choices = choices
        self.integer = integer

    @property
    def answer(self):
        if callable(self._answer):
            self._answer = self._answer()
        return self._answer

    def _close(self, given, target):
        if self.accept is not None and target is self.answer:
            low, high = self.accept
            return low <= given <= high
        if self.integer:
            return round(given) == given and int(given) == int(target)
        return math.isclose(given, target, rel_tol=self.rel_tol, abs_tol=self.abs_tol)

    def check(self, given: object) -> Feedback:
        if self.choices is not None:
            value = _parse_choice(given, self.choices)
            if value == self.answer:
                return Feedback(True, _right(self, f"({value})"))
            for wrong, message in self.hints:
                if value == wrong:
                    return Feedback(False, f"Not yet: {message}")
            return Feedback(False, f"Not yet: {self.hint}")
        value = parse_number(given)
        if self._close(value, self.answer):
            return Feedback(True, _right(self, _fmt(given, value)))
        for wrong, message in self.hints:
            if (value == wrong if self.integer  # counts: a hint for 345 only
                    else math.isclose(value, wrong, rel_tol=max(self.rel_tol, 1e-9))):
                return Feedback(False, f"Not yet: {message}")
        return Feedback(False, f"Not yet: {self.hint}")

    def __repr__(self):
        return f"Exercise({self.id!r}: {self.question})"


def _right(ex, shown):
    tail = f" {ex.explain}" if ex.explain else ""
    return f"Right: {shown} is correct.{tail}"


def _fmt(given, value):
    if isinstance(given, str):
        return given.strip()
    return f"{value:g}"


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(given: object) -> float:
    """A float from a number, or from text like ``"0.25"``, ``"2/11"``, ``"5%"``.

    >>> parse_number("2/8"), parse_number("5%"), parse_number(3)
    (0.25, 0.05, 3.0)
    """
    if isinstance(given, bool):
        raise TypeError("answer must be a number, not True/False")
    if isinstance(given, numbers.Real):
        value = float(given)
    elif isinstance(given, str):
        text = given.strip().replace(" ", "").replace(",", "")
        percent = text.endswith("%")
        text = text.rstrip("%")
        if "/" in text:
            num, _, den = text.partition("/")
            if not (_NUMBER.match(num) and _NUMBER.match(den)) or float(den) == 0:
                raise ValueError(f"answer must be a number like 0.25 or 2/11, "
                                 f"got {given!r}")
            value = float(Fraction(num) / Fraction(den))
        elif _NUMBER.match(text):
            value = float(text)
        else:
            raise ValueError(
                f"answer must be a number like 0.25 or 2/11, got {given!r}")
        if percent:
            value /= 100.0
    else:
        raise TypeError(f"answer must be a number or text, got {type(given).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"answer must be a finite number, got {given!r}")
    return value


def _parse_choice(given, choices):
    if not isinstance(given, str):
        raise TypeError(f"answer must be one of {', '.join(choices)} (text), "
                        f"got {given!r}")
    text = given.strip().strip("()").strip().lower()
    # "minimum / 10" is "minimum/10": compare with all whitespace removed
    squeezed = {"".join(c.split()): c for c in choices}
    text = squeezed.get("".join(text.split()), text)
    if text not in choices:
        raise ValueError(f"answer must be one of {', '.join(choices)}, got {given!r}")
    return text


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (ids must be unique).

    >>> ex = register(Exercise("99.9", "Twice 2?", 4))
    >>> get_exercise("99.9") is ex
    True
    >>> _ = _REGISTRY.pop("99.9")
    """
    if not isinstance(exercise, Exercise):
        raise TypeError(f"exercise must be an Exercise, got {exercise!r}")
    if exercise.id in _REGISTRY:
        raise ValueError(f"exercise {exercise.id!r} is registered twice")
    _REGISTRY[exercise.id] = exercise
    return exercise


def _load():
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import importlib
        import pkgutil

        from . import lessons
        found = pkgutil.iter_modules(lessons.__path__)
        for info in sorted(found, key=lambda m: m.name):
            if info.name.startswith("lesson"):
                importlib.import_module(f"{lessons.__name__}.{info.name}.exercises")


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id.

    >>> "00.2" in all_exercises()
    True
    """
    _load()
    return dict(sorted(_REGISTRY.items()))


def get_exercise(exercise_id: str) -> Exercise:
    """The registered exercise with this id (``"LL.N"``).

    >>> get_exercise("00.2").id
    '00.2'
    """
    _load()
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"exercise_id must be one of {known}; got {exercise_id!r}")
    return _REGISTRY[exercise_id]


def check(exercise_id: str, answer: object) -> Feedback:
    """Check an answer; returns a ``Feedback`` that prints right/wrong + hint.

    Answers may be numbers or text (``"2/11"``, ``"95%"``, ``"a"``).

    >>> bool(check("00.2", get_exercise("00.2").answer))
    True
    """
    return get_exercise(exercise_id).check(answer)
