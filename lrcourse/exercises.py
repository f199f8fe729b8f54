"""Exercise checkers: ``check("03.1", answer)`` says right or wrong, with a hint.

Each lesson's exercises live in ``lessons/lessonNN/exercises.py`` and compute
their answers with lrcourse itself, so the checker and the lesson can never
disagree. Every question states its tolerance ("to 3 significant figures",
"within 1%", "a whole number"); ``Exercise.tolerance`` is that phrase.

An answer is read as exactly one number (see ``parse_number``). Anything that
cannot be read, from the answer box or from code (``None``, a list, bytes, a
huge string), gets a ``Feedback`` that is not correct and says what to type;
``check`` never raises for a learner's answer.

>>> check("01.1", 0.5)
Right: 0.5 is correct. lr x 2w = w exactly when lr = 1/2 = 1/lambda.
>>> check("01.3", "2,28")
Use a point: did you mean 2.28?
>>> check("01.3", 2.3)
Close, but round less: give 3 significant figures.
"""

import math
import numbers
import re

_REGISTRY = {}
_LOADED = False

#: The longest answer text read, and the largest power of ten in it.
MAX_CHARS = 40
MAX_EXPONENT = 300

_PLEASE = "Please enter one number, like 0.25, 2/11, 5% or 1e-3."


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
        question: the question as the lesson asks it, stating the tolerance
            (``tolerance`` gives the phrase it must contain).
        answer: a number, a string (for a multiple choice) or a function
            returning one (called once, when first needed).
        sig_figs: the answer is asked "to N significant figures": anything
            within one unit of the N-th significant figure of the exact answer
            is right, so every correct rounding (or truncation) at N or more
            figures passes: 0.410 and 0.409 for 0.4096 at 3 figures.
        rel_tol / abs_tol: otherwise, the accepted distance ("within 1%").
        accept: ``(low, high)``: accept anything in this range instead.
        integer: the answer is a count, right only when exact.
        hints: ``[(wrong_answer, message), ...]`` for the commonest mistakes;
            a wrong answer within the same tolerance of one gets its message.
        hint: the general hint for any other wrong answer.
        explain: one line shown with a right answer.
        choices: the accepted words, for a multiple choice.
        aliases: other words taken for a choice ({"min": "minimum"}).

    A close wrong answer gets a message instead of the general hint (a
    targeted hint still comes first): the exact answer correctly rounded to
    fewer figures than ``figures`` is told "round less: give N significant
    figures" (or, written with more figures than are right, as 0.60 for 0.64,
    "right to 1 significant figure only"); a truncation is not a rounding.
    Where the question asks for N significant figures, any other answer within
    10 times the tolerance is told to keep more figures along the way.

    >>> ex = Exercise("99.1", "What is 1/8, within 1%?", 0.125)
    >>> bool(ex.check("1/8")), bool(ex.check(0.2))
    (True, False)
    """

    def __init__(self, id: str, question: str, answer: object, *,
                 rel_tol: float = 0.01, abs_tol: float = 0.0,
                 sig_figs: int | None = None, accept: tuple | None = None,
                 hints: tuple | list = (),
                 hint: str = "Not quite; look at the panel again.", explain: str = "",
                 choices=None, integer=False, aliases=None):
        if sig_figs is not None and not (isinstance(sig_figs, int) and sig_figs >= 1):
            raise ValueError(f"sig_figs must be a whole number >= 1, got {sig_figs!r}")
        self.id = id
        self.question = question
        self._answer = answer
        self.rel_tol = rel_tol
        self.abs_tol = abs_tol
        self.sig_figs = sig_figs
        self.accept = accept
        self.hints = list(hints)
        self.hint = hint
        self.explain = explain
        self.choices = choices
        self.aliases = dict(aliases or {})
        self.integer = integer

    @property
    def answer(self):
        if callable(self._answer):
            self._answer = self._answer()
        return self._answer

    @property
    def tolerance(self):
        """The phrase the question uses to state its tolerance (None for a
        multiple choice, whose question lists the choices instead)."""
        if self.choices is not None:
            return None
        if self.integer:
            return "a whole number"
        if self.accept is not None:
            return f"from {self.accept[0]:g} to {self.accept[1]:g}"
        if self.sig_figs is not None:
            return f"to {_figures_phrase(self.sig_figs)}"
        return f"within {100 * self.rel_tol:g}%"

    @property
    def figures(self):
        """Significant figures always enough for a right answer: the stated
        ones, or the fewest at which the rounded answer is accepted (None for
        counts and multiple choices)."""
        if self.choices is not None or self.integer:
            return None
        if self.sig_figs is not None:
            return self.sig_figs
        return next((n for n in range(1, 16)
                     if self.accepts(_round_sig(self.answer, n))), None)

    def accepts(self, value):
        """Whether the number ``value`` is a right answer."""
        if self.accept is not None:
            low, high = self.accept
            return low <= value <= high
        if self.integer:
            return value == round(value) and round(value) == round(self.answer)
        return self._near(value, self.answer)

    def _near(self, value, target):
        if self.integer:
            return value == target
        if self.sig_figs is not None:
            slack = 1e-12 * abs(target)  # rounding in the subtraction
            return abs(value - target) <= _unit(target, self.sig_figs) + slack
        # a little slack so that an answer exactly at the stated tolerance
        # ("within 2%": 0.98 for 1) is not lost to float rounding
        rel_tol = max(self.rel_tol, 1e-9) * (1 + 1e-9)
        return math.isclose(value, target, rel_tol=rel_tol,
                            abs_tol=self.abs_tol * (1 + 1e-9))

    def _close(self, value, figures):
        """The message for a close wrong answer, or None: "round less" only
        for the exact answer correctly rounded to the fewer figures given."""
        needed, answer = self.figures, self.answer
        if needed is None:
            return None
        phrase = _figures_phrase(needed)
        if figures is not None and figures < needed and _rounds_to(
                value, answer, figures):
            return f"Close, but round less: give {phrase}."
        right = [n for n in range(needed - 1, 0, -1) if _rounds_to(value, answer, n)]
        if right:
            return (f"Close, but that is right to {_figures_phrase(right[0])} "
                    f"only: work out {phrase}.")
        slack = 1e-12 * abs(answer)
        if (self.sig_figs is not None
                and abs(value - answer) <= 10 * _unit(answer, needed) + slack):
            return ("Close, but outside the tolerance: keep more figures along the "
                    f"way and give {phrase}.")
        return None

    def check(self, given):
        """A ``Feedback`` for ``given`` (a number or text, from the answer box
        or from code); an answer that cannot be read is told what to type."""
        try:
            if self.choices is not None:
                choice = _parse_choice(given, self.choices, self.aliases)
                return self._check_choice(choice)
            value, figures = _read(given, integer=self.integer)
        except (TypeError, ValueError) as err:
            return Feedback(False, str(err))
        if self.accepts(value):
            return Feedback(True, _right(self, _fmt(given, value)))
        for wrong, message in self.hints:
            if self._near(value, wrong):
                return Feedback(False, f"Not yet: {message}")
        return Feedback(False, self._close(value, figures) or f"Not yet: {self.hint}")

    def _check_choice(self, value):
        if value == self.answer:
            return Feedback(True, _right(self, f"({value})"))
        for wrong, message in self.hints:
            if value == wrong:
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


def _figures_phrase(n):
    return f"{n} significant figure{'s' if n != 1 else ''}"


def _unit(x, figures):
    """One unit of the ``figures``-th significant figure of ``x``."""
    if x == 0:
        return 0.0
    return 10.0 ** (math.floor(math.log10(abs(x))) - figures + 1)


def _rounds_to(value, answer, figures):
    """Whether ``value`` is ``answer`` correctly rounded to ``figures``
    significant figures (either way at a tie); a truncation is not."""
    unit = _unit(answer, figures)
    if not unit:
        return value == 0
    steps = value / unit
    if not math.isfinite(steps):  # far beyond the answer's scale
        return False
    return (abs(steps - round(steps)) < 1e-6
            and abs(value - answer) <= 0.5 * unit * (1 + 1e-9))


def _round_sig(x, figures):
    return float(f"{x:.{figures - 1}e}")


def _shown(text):
    """The learner's text, quoted, cut short if long."""
    return repr(text if len(text) <= 24 else text[:20] + "...")


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+")


def parse_number(given: object, *, integer: bool = False) -> float:
    """A float from a number, or from text like ``"0.25"``, ``"2/11"``, ``"5%"``.

    The text must be exactly one number; each refusal is a ``ValueError`` (or a
    ``TypeError`` for what is neither a number nor text) whose message is
    written for the learner:

    - ``"0.5, 1"``, ``"0.5 1"``, ``"1/2/3"``, ``"50%%"``: "One number, please".
      Spaces around ``/`` and before ``%`` are fine.
    - A decimal comma is never read as a thousands separator: ``"3,42"`` gets
      "Use a point: did you mean 3.42?".
    - Thousands separators: with ``integer=True`` (the answer is a count), commas
      that group the digits in threes (``"1,000"``, ``"12,345,678"``) are read as
      thousands separators, the only reading that fits a count (a count has no
      decimals). Otherwise ``"3,420"`` could be 3.42 or 3420: the checker asks.
    - At most ``MAX_CHARS`` characters, exponents within +-``MAX_EXPONENT``, a
      non-zero denominator and a finite result; huge input is refused at once.

    >>> parse_number("2/11")
    0.18181818181818182
    >>> parse_number("1,000", integer=True)
    1000.0
    """
    return _read(given, integer=integer)[0]


def _read(given, integer=False):
    """``(value, figures)``: the number and how many significant figures were
    given (None for a fraction)."""
    if isinstance(given, bool) or not isinstance(given, (numbers.Real, str)):
        raise TypeError(_PLEASE)
    if not isinstance(given, str):
        return _read_real(given)
    text = _tidy(given)
    percent = text.endswith("%")
    core = _commas(text[:-1] if percent else text, given, integer)
    parts = core.split("/")
    if len(parts) > 2:
        raise ValueError(f"One number, please: {_shown(given)} has more than one "
                         "'/'. " + _PLEASE)
    values = [_decimal(part, given) for part in parts]
    if len(values) == 2 and values[1] == 0:
        raise ValueError(f"{_shown(given)} divides by zero. {_PLEASE}")
    value = values[0] / values[1] if len(values) == 2 else values[0]
    value = value / 100 if percent else value
    if not math.isfinite(value):
        raise ValueError(f"{_shown(given)} is too large to check. {_PLEASE}")
    return value, (_figures(parts[0]) if len(parts) == 1 else None)


def _read_real(given):
    try:
        value = float(given)
    except OverflowError:
        raise ValueError(f"That number is too large to check. {_PLEASE}") from None
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number. {_PLEASE}")
    text = repr(value)
    return value, _figures(text[:-2] if text.endswith(".0") else text)


def _tidy(given):
    """The text stripped, checked for length, spaces and % signs."""
    text = given.strip().replace("\u2212", "-")  # a typographic minus
    if not text:
        raise ValueError(_PLEASE)
    if len(text) > MAX_CHARS:
        raise ValueError(f"That is too long for one number (more than {MAX_CHARS} "
                         f"characters). {_PLEASE}")
    text = re.sub(r"\s*/\s*", "/", re.sub(r"\s+%", "%", text))
    text = re.sub(r"^([+-])\s+", r"\1", text)
    if any(c.isspace() for c in text):
        raise ValueError(f"One number, please: {_shown(given)} looks like more "
                         "than one. " + _PLEASE)
    if "%" in text[:-1]:
        raise ValueError(f"One number, please, with one % sign at its end: "
                         f"{_shown(given)}. " + _PLEASE)
    return text


def _commas(core, given, integer):
    """``core`` without thousands separators, or a ValueError that asks."""
    if "," not in core:
        return core
    grouped = _GROUPED.fullmatch(core) is not None
    plain = core.replace(",", "")
    if grouped and integer:
        return plain
    tail = "%" if given.strip().endswith("%") else ""
    pointed = re.sub(r"(?<=\d),(?=\d)", ".", core)
    if "," not in pointed and _readable(pointed):
        if grouped:
            raise ValueError("Use a point for decimals and no thousands "
                             f"separators: did you mean {pointed}{tail} or "
                             f"{plain}{tail}?")
        raise ValueError(f"Use a point: did you mean {pointed}{tail}?")
    if grouped:
        raise ValueError(f"Please leave out the commas: did you mean {plain}{tail}?")
    raise ValueError(f"One number, please: {_shown(given)} looks like more than "
                     "one. " + _PLEASE)


def _readable(core):
    try:
        _read(core)
    except ValueError:
        return False
    return True


def _decimal(token, given):
    match = _NUMBER.fullmatch(token)
    if match is None:
        raise ValueError(f"{_PLEASE[:-1]} (got {_shown(given)}).")
    if match.group(3) and abs(int(match.group(3))) > MAX_EXPONENT:
        raise ValueError(f"{_shown(given)} is out of range: powers of ten go from "
                         f"1e-{MAX_EXPONENT} to 1e{MAX_EXPONENT}. " + _PLEASE)
    return float(token)


def _figures(token):
    """Significant figures of a decimal like ``"0.40"`` (2) or ``"400"`` (1)."""
    mantissa = re.split("[eE]", token.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        digits = digits.rstrip("0")
    return len(digits) or None


def choice_text(given: str) -> str:
    """A typed word as a choice is compared: without surrounding brackets,
    a closing full stop or other closing punctuation, or capitals.

    >>> choice_text(" Oscillating. ")
    'oscillating'
    """
    if not isinstance(given, str):
        raise TypeError(f"given must be text, got {type(given).__name__}")
    text = given.strip().rstrip(".!?,;:").strip()
    return text.strip("()").strip().rstrip(".!?,;:").strip().lower()


def _parse_choice(given, choices, aliases=None):
    listed = f"{', '.join(choices[:-1])} or {choices[-1]}"
    please = f"Please answer {listed}."
    if not isinstance(given, str):
        raise TypeError(please)
    if len(given.strip()) > MAX_CHARS:
        raise ValueError(f"That is too long for an answer. {please}")
    text = choice_text(given)
    # "minimum / 10" is "minimum/10": compare with all whitespace removed
    squeezed = {"".join(c.split()): c for c in choices}
    squeezed.update({"".join(a.split()): c for a, c in (aliases or {}).items()})
    text = squeezed.get("".join(text.split()), text)
    if text not in choices:
        raise ValueError(f"{please[:-1]} (got {_shown(given.strip())}).")
    return text


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (ids must be unique).

    >>> ex = register(Exercise("99.9", "Twice 2, a whole number?", 4, integer=True))
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


def all_exercises() -> dict:
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
    if not isinstance(exercise_id, str) or exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"exercise_id must be one of {known}; got {exercise_id!r}")
    return _REGISTRY[exercise_id]


def check(exercise_id: str, answer: object) -> Feedback:
    """Check an answer; returns a ``Feedback`` that prints right/wrong + hint.

    Answers may be numbers or text (``"2/11"``, ``"95%"``, ``"a"``); anything
    else, or text that is not one number, gets a Feedback saying what to type.
    An unknown ``exercise_id`` is a ValueError listing the known ones.

    >>> bool(check("00.2", get_exercise("00.2").answer))
    True
    """
    return get_exercise(exercise_id).check(answer)
