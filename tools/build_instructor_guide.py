"""Assemble docs/instructor.md from the per-lesson notes in docs/instructor/.

    python tools/build_instructor_guide.py          # write docs/instructor.md
    python tools/build_instructor_guide.py --check  # exit 1 if it is stale
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "docs" / "instructor"
GUIDE = ROOT / "docs" / "instructor.md"

HEADER = """# Instructor guide

Answers to every exercise, with the accepted tolerance, the commonest wrong
answer and why learners give it, and teaching notes for each lesson. Every
answer is computed by `lrcourse` (see `lrcourse/lessons/*/exercises.py`); the tests feed
each answer, and the commonest wrong one, to its checker.

This file is assembled from `docs/instructor/NN.md` by
`python tools/build_instructor_guide.py`; edit those files, not this one.

"""


def build():
    parts = sorted(PARTS.glob("[0-9][0-9].md"))
    body = "\n\n".join(p.read_text().strip() for p in parts)
    return HEADER + body + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = build()
    if args.check:
        if not GUIDE.exists() or GUIDE.read_text() != text:
            sys.exit("docs/instructor.md is stale: run tools/build_instructor_guide.py")
        return
    GUIDE.write_text(text)
    print(f"wrote {GUIDE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
