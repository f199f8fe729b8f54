"""The checker: parsing, tolerance, hints; every registered exercise is sound."""

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrcourse
import lrcourse.exercises as exercises_module
from lrcourse.exercises import (
    MAX_CHARS,
    Exercise,
    all_exercises,
    check,
    get_exercise,
    parse_number,
)
from lrcourse.widgets import answer_box

PLEASE = "Please enter one number, like 0.25, 2/11, 5% or 1e-3."


def numeric_ids():
    return [i for i, ex in all_exercises().items() if ex.choices is None]


def choice_ids():
    return [i for i, ex in all_exercises().items() if ex.choices is not None]


# -- reading a number --------------------------------------------------------------
def test_parse_number_forms():
    assert parse_number("2/11") == pytest.approx(0.181818, rel=1e-5)
    assert parse_number(" 2 / 11 ") == parse_number("2/11")
    assert parse_number(" 95.2% ") == pytest.approx(0.952)
    assert parse_number("95.2 %") == pytest.approx(0.952)
    assert parse_number("1e-3") == parse_number("1E-3") == 0.001
    assert parse_number("- 0.6") == parse_number("\u22120.6") == -0.6
    assert parse_number(".5") == parse_number("+0.5") == 0.5
    assert parse_number(3) == 3.0
    assert parse_number(np.float64(0.25)) == 0.25
    for bad in ("abc", "1/0", "", "   ", "nan", "inf", "0x10"):
        with pytest.raises(ValueError, match="Please enter one number"):
            parse_number(bad)
    for bad in (None, True, [0.5], b"0.5", object(), 1 + 2j, np.array([0.5])):
        with pytest.raises(TypeError, match="Please enter one number"):
            parse_number(bad)


def test_module_examples_hold():
    assert doctest.testmod(exercises_module).failed == 0


@pytest.mark.parametrize("text", ["0.5, 1", "0.5 1", "0.5,1", "50%%", "%50", "5%0",
                                  "1/2/3", "0.5 0.5", "1 000", "1,2,3"])
def test_more_than_one_number_is_refused(text):
    # 01.1's answer is 0.5: each of these holds it, and none is marked right
    result = check("01.1", text)
    assert not result
    assert "One number, please" in result.message
    assert "gradient" not in result.message  # no method hint


@pytest.mark.parametrize("text, meant", [("3,42", "3.42"), ("0,06", "0.06"),
                                         ("0,4096", "0.4096"), ("3,42%", "3.42%"),
                                         ("1,5/2", "1.5/2"), ("0,060", "0.060")])
def test_a_decimal_comma_gets_use_a_point(text, meant):
    for ex_id in ("00.2", "01.2", "03.1"):  # 03.1's answer is 342
        result = check(ex_id, text)
        assert not result
        assert result.message == f"Use a point: did you mean {meant}?"


def test_thousands_separators_only_where_unambiguous():
    # a count has no decimals: commas grouping digits in threes are thousands
    assert parse_number("1,000", integer=True) == 1000
    assert parse_number("12,345,678", integer=True) == 12345678
    assert parse_number("-1,500", integer=True) == -1500
    count = Exercise("T.1", "How many? (a whole number)", 1500, integer=True)
    assert count.check("1,500") and count.check("1500")
    assert not count.check("1,5")  # not grouped in threes: a decimal comma
    assert "did you mean 1.5?" in count.check("1,5").message
    assert "did you mean 0.500?" in count.check("0,500").message
    assert "(exact" not in check("03.1", "1,000").message  # read, then judged
    assert not check("03.1", "1,000")
    # elsewhere "3,420" may be 3.42 or 3420: ask
    for ex_id in ("01.2", "06.3"):
        message = check(ex_id, "3,420").message
        assert message == ("Use a point for decimals and no thousands separators: "
                           "did you mean 3.420 or 3420?")
    assert check("06.3", "1,000,000").message == (
        "Please leave out the commas: did you mean 1000000?")


@pytest.mark.parametrize("text", ["1e9999999/1", "1/1e9999999", "1e400/1", "1e-400",
                                  "2e301", "1e99999999999999999999999999999999"])
def test_huge_exponents_are_refused_at_once(text):
    # refused by the exponent cap before any arithmetic (nothing can block)
    result = check("01.2", text)
    assert not result and "out of range" in result.message
    with pytest.raises(ValueError, match="out of range"):
        parse_number(text)


@pytest.mark.parametrize("given, words", [
    ("1e300/1e-300", "too large"),
    ("9" * 310 + "/1", "too long"),
    ("1" * (MAX_CHARS + 1), "too long"),
    ("0." + "1" * 10**6, "too long"),
    (10**400, "too large"),
    (float("inf"), "not a finite number"),
    (np.nan, "not a finite number"),
    (-np.inf, "not a finite number"),
    ("1/0", "divides by zero"),
])
def test_huge_or_non_finite_answers_get_a_message(given, words):
    result = check("01.2", given)
    assert not result and words in result.message and PLEASE in result.message


@pytest.mark.parametrize("garbage", [None, [0.4096], (0.4096,), {"a": 1}, object(),
                                     b"0.4096", True, False, 1 + 0j, np.array(0.4096),
                                     check])
def test_garbage_from_code_gets_the_friendly_message(garbage):
    result = check("01.2", garbage)
    assert isinstance(result, lrcourse.exercises.Feedback)
    assert not result and result.message == PLEASE
    choice = check("07.2", garbage)
    assert not choice and choice.message == "Please answer minimum or minimum/10."


def test_unknown_exercise_lists_known_ones():
    for bad in ("99.9", None, ["01.1"], 1.1):
        with pytest.raises(ValueError, match="exercise_id must be one of .*01.1"):
            check(bad, 1)


@pytest.mark.parametrize("text", ["", "abc", "1e400/1", "1e9999999/1", "0.5, 1", "3,42",
                                  "x" * 10**5, "50%%", "0.4", "1/0", "\n", "\u00e9"])
def test_answer_box_always_shows_a_message(text):
    for ex_id in ("01.2", "07.2", "03.1"):
        box = answer_box(ex_id)
        field, _, feedback = box.children
        field.value = text
        box.check()
        assert feedback.value.startswith("<span>")
        assert len(feedback.value) > len("<span></span>") + 10


def test_answer_box_shows_a_message_even_if_checking_fails(monkeypatch):
    box = answer_box("01.2")
    field, _, feedback = box.children

    def broken(given):
        raise ArithmeticError("no answer today")

    monkeypatch.setattr(get_exercise("01.2"), "check", broken)
    field.value = "0.4096"
    box.check()
    assert "could not be checked" in feedback.value


# -- tolerances --------------------------------------------------------------------
def test_every_question_states_its_tolerance():
    for ex_id, ex in all_exercises().items():
        if ex.choices is None:
            assert ex.tolerance in ex.question, (ex_id, ex.tolerance)
        else:
            for choice in ex.choices:
                assert choice in ex.question.lower(), (ex_id, choice)


def test_tolerance_phrases():
    ex = Exercise("T.1", "q", 0.4096, sig_figs=3)
    assert ex.tolerance == "to 3 significant figures" and ex.figures == 3
    assert Exercise("T.2", "q", 0.5, sig_figs=1).tolerance == "to 1 significant figure"
    assert Exercise("T.3", "q", 0.5, rel_tol=0.02).tolerance == "within 2%"
    assert Exercise("T.4", "q", 0.2, accept=(0.1, 0.3)).tolerance == "from 0.1 to 0.3"
    assert Exercise("T.5", "q", 7, integer=True).tolerance == "a whole number"
    assert Exercise("T.6", "q", "a", choices=("a", "b")).tolerance is None
    with pytest.raises(ValueError, match="sig_figs"):
        Exercise("T.7", "q", 1.0, sig_figs=0)


#: A ratio asked to 3 significant figures (0.8^4, once exercise 01.2's answer).
RATIO = Exercise("T.0", "The ratio? (to 3 significant figures)", 0.4096, sig_figs=3,
                 hint="each update multiplies the distance to the minimum by "
                      "1 - lr x 2.")


def test_significant_figures_accept_every_rounding_and_truncation():
    assert RATIO.check(0.4096) and RATIO.check("0.410") and RATIO.check("0.41")
    assert RATIO.check("0.409")  # truncated, within one unit of the 3rd figure
    assert RATIO.check("40.96%") and RATIO.check("4.096e-1")
    assert not RATIO.check("0.4085") and not RATIO.check("0.4107")
    assert check("01.2", "1.92e-6") and check("01.2", "0.00000192")  # 0.8^59
    assert check("01.2", "1.91e-6") and not check("01.2", "1.89e-6")
    assert check("08.1", "0.00854") and check("08.1", "0.0085")  # within 1%
    assert check("02.2", "-0.512") and not check("02.2", "0.512")


def test_close_answers_are_told_to_round_less():
    three = "round less: give 3 significant figures"
    assert three in RATIO.check(0.4).message  # the answer at 1 figure
    assert three in check("01.2", "2e-6").message
    along = RATIO.check("0.408").message  # within 10x the tolerance
    assert "round less" not in along and "give 3 significant figures" in along
    assert "keep more figures along the way" in along
    assert three in check("01.3", "2.3").message
    assert "round less: give 2 significant figures" in check("08.1", "0.009").message
    assert three in check("05.1", "0.6").message
    assert "round less: give 2 significant figures" in check("09.3", "400").message
    for far in ("0.42", "0.39", "0.5"):  # too far: the method hint
        assert "1 - lr x 2" in RATIO.check(far).message
        assert "1 - lr x 2" in check("01.2", far).message
    assert "round less" not in check("09.3", "350").message
    assert "round less" not in check("03.1", 340).message  # counts are exact
    # a targeted hint comes first, even when it is close
    assert "sign" in check("02.2", "0.512").message


def test_round_less_for_every_exercise_rounded_too_much():
    for ex_id, ex in all_exercises().items():
        if ex.figures is None or not isinstance(ex.answer, float):
            continue
        for k in range(1, ex.figures):
            rounded = float(f"{ex.answer:.{k - 1}e}")
            result = check(ex_id, f"{ex.answer:.{k - 1}e}")
            hinted = any(ex._near(rounded, wrong) for wrong, _ in ex.hints)
            if not (result.correct or hinted):
                assert "round less" in result.message, (ex_id, k)
                assert f"give {ex.figures} significant" in result.message, ex_id


def test_round_less_only_for_a_correct_rounding():
    within_2 = Exercise("T.8", "q, within 2%?", 0.38, rel_tol=0.02,
                        hint="the method.")
    assert "round less: give 2 significant figures" in within_2.check("0.4").message
    assert within_2.check("0.3").message == "Not yet: the method."  # truncated
    assert "round less" not in RATIO.check("0.40").message  # 0.4096 cut at 2
    tie = Exercise("T.9", "q, to 3 significant figures?", 0.125, sig_figs=3)
    assert "round less" in tie.check("0.13").message  # a tie rounds either way
    assert "round less" in tie.check("0.12").message


def test_more_zeros_after_round_less_are_not_told_the_method():
    assert "round less: give 3 significant figures" in check("02.3", "0.6").message
    for padded in ("0.60", "0.600", "3/5"):
        message = check("02.3", padded).message
        assert "right to 1 significant figure only" in message, padded
        assert "3 significant figures" in message and "round less" not in message
    assert "right to 1 significant figure only" in RATIO.check("0.40").message
    assert "round less" in check("05.1", "0.60").message  # 0.598 at 2 figures
    assert "right to 2 significant figures only" in check("05.1", "0.600").message


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(set(numeric_ids()))), st.integers(0, 10),
       st.booleans(), st.booleans())
def test_correctly_rounded_answers_are_accepted(ex_id, extra, as_text, truncate):
    ex = get_exercise(ex_id)
    answer = float(ex.answer)
    if ex.integer:
        assert check(ex_id, str(round(answer)) if as_text else answer)
        return
    figures = ex.figures + extra
    rounded = float(f"{answer:.{figures - 1}e}")
    if truncate and ex.sig_figs is not None:
        unit = 10.0 ** (math.floor(math.log10(abs(answer))) - figures + 1)
        rounded = math.copysign(math.floor(abs(answer) / unit) * unit, answer)
    given_ = f"{rounded:.{figures - 1}e}" if as_text else rounded
    assert check(ex_id, given_), (ex_id, given_)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["01.2", "03.1", "03.3", "05.2", "07.2", "09.1"]),
       st.one_of(st.text(max_size=60),
                 st.text(alphabet="0123456789.,/%eE+- ", max_size=30)))
def test_random_strings_never_raise(ex_id, text):
    result = check(ex_id, text)
    assert isinstance(result.message, str) and result.message.strip()
    if result.correct and ex_id != "07.2":
        ex = get_exercise(ex_id)
        assert ex.accepts(parse_number(text, integer=ex.integer))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["01.2", "03.1", "04.1", "07.2"]),
       st.one_of(st.none(), st.booleans(), st.integers(),
                 st.floats(allow_nan=True, allow_infinity=True), st.binary(),
                 st.lists(st.floats(), max_size=3), st.complex_numbers(),
                 st.fractions(), st.decimals(allow_nan=True)))
def test_anything_from_code_never_raises(ex_id, answer):
    result = check(ex_id, answer)
    assert isinstance(result.message, str) and result.message.strip()


@settings(max_examples=200, deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10), st.sampled_from([" ", ", ", ";", "  "]))
def test_two_numbers_are_never_right(a, b, sep):
    assert not check("01.1", f"{a}{sep}{b}")
    assert not check("01.1", f"{0.5}{sep}{b}")


# -- the exercises themselves ------------------------------------------------------
def test_lesson01_answers_and_hints():
    assert check("01.1", 0.5) and check("01.1", "0.505")
    wrong = check("01.1", 1)
    assert not wrong and "the gradient of w² is 2w" in wrong.message
    assert check("01.2", 0.8 ** 59)
    assert "59 updates" in check("01.2", 0.8).message
    assert "59 factors" in check("01.2", 0.8 ** 60).message
    assert check("01.3", 2.28)
    assert "after one update" in check("01.3", 2.6).message
    assert check("01.4", 87) and not check("01.4", 86)
    assert "square" in check("01.4", 174).message


def test_every_exercise_accepts_its_own_answer():
    exercises = all_exercises()
    assert len(exercises) >= 4
    for ex_id, ex in exercises.items():
        answer = ex.answer
        given_ = answer if isinstance(answer, str) else float(answer)
        if ex.accept is not None:
            given_ = sum(ex.accept) / 2
        assert check(ex_id, given_), ex_id
        assert repr(get_exercise(ex_id)).startswith(f"Exercise('{ex_id}'")


def test_check_is_exported():
    assert lrcourse.check is check


def test_every_wrong_answer_with_a_hint_gets_it():
    for ex_id, ex in all_exercises().items():
        assert ex.hints, f"{ex_id} has no targeted hint"
        for wrong, message in ex.hints:
            result = check(ex_id, wrong if isinstance(wrong, str) else float(wrong))
            assert not result, (ex_id, wrong)
            assert message in result.message, (ex_id, wrong)


def test_lesson_00_shows_a_hint_on_its_practice_question():
    # lesson 00 prints this once; no lesson checks one of its own exercises
    # (tests/test_lesson_checklist.py)
    message = check("practice", 1.01).message
    assert message.startswith("Not yet: ") and "they do not add" in message
    assert "practice" not in [i for i in all_exercises() if i[:2].isdigit()]


def test_integer_answers_get_a_hint_only_for_that_exact_count():
    # 03.1 has a hint for 345 (ln(1000)/0.02, rounded up); 343 is a different slip
    assert "count the updates exactly" in check("03.1", 345).message
    near = check("03.1", 343)
    assert not near and "count the updates exactly" not in near.message
    assert "0.98^k < 0.001" in near.message  # the general hint instead
    assert "counted from 0" in check("07.1", 64).message
    assert "next whole number" in check("07.1", 62).message


def test_choices_ignore_whitespace():
    right = check("07.2", "minimum/10")
    assert right.correct
    assert check("07.2", "minimum / 10").message == right.message
    assert check("07.2", "  Minimum /10 ").correct
    assert "(minimum/10)" in check("07.2", "minimum / 10").message
    wrong = check("07.2", "minimum / 100")
    assert not wrong
    assert wrong.message == "Please answer minimum or minimum/10 (got 'minimum / 100')."
    assert "too long" in check("07.2", "minimum" * 10**5).message


def test_an_answer_exactly_at_the_stated_tolerance_is_accepted():
    # 0.98 - 1 is 0.0200000000000000178 in floats: still "within 2%"
    exercise = Exercise("99.9", "Which rate? (within 2%)", 1.0, rel_tol=0.02)
    for edge in (0.98, 1.02):
        assert exercise.check(edge).correct, edge
    for outside in (0.9799, 1.03):
        assert not exercise.check(outside).correct, outside
    assert check("00.3", 0.98).correct  # a registered one (answer 1, within 2%)


def test_choice_text_reads_a_typed_word_and_refuses_other_things():
    from lrcourse.exercises import choice_text

    assert choice_text(" (Minimum/10). ") == "minimum/10"
    with pytest.raises(TypeError, match="given must be text"):
        choice_text(3)
