"""Exercise checkers: ``check("03.1", answer)`` says right or wrong, with a hint.

Each lesson's exercises live in ``lessonNN.py`` and compute their answers with
lrcourse itself, so the checker and the lesson can never disagree.

>>> check("01.1", 0.5)
Right: 0.5 is correct. lr x 2w = w exactly when lr = 1/2 = 1/lambda.
"""

from ._core import Exercise, Feedback, all_exercises, check, get_exercise, register

__all__ = ["Exercise", "Feedback", "all_exercises", "check", "get_exercise", "register"]
