"""The checker: parsing, tolerance, hints; every registered exercise is sound."""

import pytest

import lrcourse
from lrcourse.exercises import all_exercises, check, get_exercise, parse_number


def test_parse_number_forms():
    assert parse_number("2/11") == pytest.approx(0.181818, rel=1e-5)
    assert parse_number(" 95.2% ") == pytest.approx(0.952)
    assert parse_number("1e-3") == 0.001
    assert parse_number(3) == 3.0
    for bad in ("abc", "1/0", "", "nan"):
        with pytest.raises(ValueError, match="answer must be"):
            parse_number(bad)
    with pytest.raises(TypeError):
        parse_number(None)
    with pytest.raises(TypeError):
        parse_number(True)


def test_lesson01_answers_and_hints():
    assert check("01.1", 0.5) and check("01.1", "0.505")
    wrong = check("01.1", 1)
    assert not wrong and "the gradient of w² is 2w" in wrong.message
    assert check("01.2", 0.4096)
    assert "four updates" in check("01.2", 0.8).message
    assert check("01.3", 2.28)
    assert "after one update" in check("01.3", 2.6).message
    assert check("01.4", 87) and not check("01.4", 86)
    assert "square" in check("01.4", 174).message


def test_unknown_exercise_lists_known_ones():
    with pytest.raises(ValueError, match="exercise_id must be one of .*01.1"):
        check("99.9", 1)


def test_every_exercise_accepts_its_own_answer():
    exercises = all_exercises()
    assert len(exercises) >= 4
    for ex_id, ex in exercises.items():
        answer = ex.answer
        given = answer if isinstance(answer, str) else float(answer)
        if ex.accept is not None:
            given = sum(ex.accept) / 2
        assert check(ex_id, given), ex_id
        assert repr(get_exercise(ex_id)).startswith(f"Exercise('{ex_id}'")


def test_check_is_exported():
    assert lrcourse.check is check


def test_every_commonest_wrong_answer_gets_its_hint():
    for ex_id, ex in all_exercises().items():
        assert ex.hints, f"{ex_id} has no targeted hint"
        wrong, message = ex.hints[0]
        result = check(ex_id, wrong if isinstance(wrong, str) else float(wrong))
        assert not result, ex_id
        assert message in result.message, ex_id


def test_integer_answers_get_a_hint_only_for_that_exact_count():
    # 03.1 has a hint for 345 (ln(1000)/0.02, rounded up); 343 is a different slip
    assert "count the updates exactly" in check("03.1", 345).message
    near = check("03.1", 343)
    assert not near and "count the updates exactly" not in near.message
    assert "0.98^k < 0.001" in near.message  # the general hint instead
    assert "counted from 0" in check("07.1", 51).message


def test_choices_ignore_whitespace():
    right = check("07.2", "minimum/10")
    assert right.correct
    assert check("07.2", "minimum / 10").message == right.message
    assert check("07.2", "  Minimum /10 ").correct
    assert "(minimum/10)" in check("07.2", "minimum / 10").message
    with pytest.raises(ValueError, match="answer must be one of"):
        check("07.2", "minimum / 100")
