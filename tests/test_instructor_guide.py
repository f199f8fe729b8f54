"""The instructor guide covers every lesson and every exercise, and is current."""

import re
import subprocess
import sys
from pathlib import Path

from lrcourse.exercises import all_exercises

ROOT = Path(__file__).resolve().parents[1]


def test_guide_is_assembled_from_its_parts():
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_instructor_guide.py"),
                    "--check"], check=True)


def test_guide_answers_every_exercise_of_every_lesson():
    text = (ROOT / "docs" / "instructor.md").read_text()
    notebooks = (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    lessons = sorted(p.name[:2] for p in notebooks)
    for lesson in lessons:
        assert re.search(rf"^## Lesson {lesson}\b", text, re.M), lesson
    for ex_id in all_exercises():
        assert ex_id in text, f"exercise {ex_id} is missing from the guide"
