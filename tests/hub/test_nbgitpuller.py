"""Handing out the course with nbgitpuller, for real: a local git remote of the
course, a learner's first pull, the learner's edit, an upstream fix and a new
lesson, a second pull. nbgitpuller's own GitPuller does the pulls, as the
``git-pull`` link on the hub does."""

import json
import subprocess
import urllib.parse

import nbformat
import pytest
from localhub import ROOT

pytestmark = pytest.mark.hub

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[:3]
NOTE = "My notes: the loss went down fastest at lr = 0.4."
FIX = "Fixed upstream: a clearer sentence."


def git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org",
         *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def add_markdown(path, text, at=None):
    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_markdown_cell(text)
    if nb.nbformat_minor < 5:
        cell.pop("id", None)  # cell ids came with nbformat 4.5
    nb.cells.insert(len(nb.cells) if at is None else at, cell)
    nbformat.write(nb, path)


def set_first_cell(path, text):
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = text
    nbformat.write(nb, path)


def sources(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells]


@pytest.fixture
def course(tmp_path):
    """``(work, remote_url)``: the instructor's repository and its bare remote."""
    work = tmp_path / "course"
    (work / "notebooks").mkdir(parents=True)
    for lesson in LESSONS[:2]:
        (work / "notebooks" / lesson.name).write_bytes(lesson.read_bytes())
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "Two lessons")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(remote))
    git(work, "remote", "add", "origin", str(remote))
    return work, f"file://{remote}"


def publish(work, message):
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", message)
    git(work, "push", "-q", "origin", "main")


def pull(url, target):
    from nbgitpuller.pull import GitPuller

    for _line in GitPuller(url, str(target), branch="main").pull():
        pass


def test_second_pull_keeps_the_edit_and_brings_the_fix(course, tmp_path):
    work, url = course
    learner = tmp_path / "home" / "lrcourse"
    first, second = (n.name for n in LESSONS[:2])
    pull(url, learner)
    assert (learner / "notebooks" / first).read_bytes() == (
        work / "notebooks" / first).read_bytes()

    add_markdown(learner / "notebooks" / second, NOTE)  # the learner's edit
    add_markdown(work / "notebooks" / first, FIX, at=0)  # a fix upstream
    new = LESSONS[2].name  # and a new lesson
    (work / "notebooks" / new).write_bytes(LESSONS[2].read_bytes())
    publish(work, "Fix lesson wording; add a lesson")

    pull(url, learner)
    assert sources(learner / "notebooks" / second)[-1] == NOTE
    assert sources(learner / "notebooks" / first)[0] == FIX
    assert (learner / "notebooks" / new).exists()


def test_upstream_change_to_an_edited_lesson_merges_around_the_edit(
        course, tmp_path):
    work, url = course
    learner = tmp_path / "home" / "lrcourse"
    name = LESSONS[1].name
    pull(url, learner)
    add_markdown(learner / "notebooks" / name, NOTE)
    add_markdown(work / "notebooks" / name, FIX, at=0)
    publish(work, "Change the lesson the learner edited, elsewhere")

    pull(url, learner)
    cells = sources(learner / "notebooks" / name)
    assert cells[-1] == NOTE
    assert cells[0] == FIX


def test_learners_edit_wins_where_both_changed_the_same_cell(course, tmp_path):
    work, url = course
    learner = tmp_path / "home" / "lrcourse"
    name = LESSONS[1].name
    pull(url, learner)
    set_first_cell(learner / "notebooks" / name, NOTE)
    set_first_cell(work / "notebooks" / name, FIX)
    publish(work, "Change the cell the learner edited")

    pull(url, learner)
    cells = sources(learner / "notebooks" / name)
    assert cells[0] == NOTE  # nbgitpuller never overwrites a learner's edit
    assert FIX not in cells


def test_deleting_a_lesson_and_pulling_again_resets_it(course, tmp_path):
    """The hub's ``make reset``: keep a copy, delete the lesson, click the
    link again."""
    work, url = course
    learner = tmp_path / "home" / "lrcourse"
    name = LESSONS[1].name
    pull(url, learner)
    lesson = learner / "notebooks" / name
    add_markdown(lesson, NOTE)
    lesson.rename(lesson.with_suffix(".mine.ipynb"))
    pull(url, learner)
    assert lesson.read_bytes() == (work / "notebooks" / name).read_bytes()
    assert sources(lesson.with_suffix(".mine.ipynb"))[-1] == NOTE


def test_git_pull_link_on_the_hub_clones_into_the_learners_home(
        hub, course):
    """The link's API end, through the hub's proxy with the hub's token."""
    work, url = course
    name = "learner-pull"
    hub.spawn(name)
    try:
        query = urllib.parse.urlencode(
            {"repo": url, "branch": "main", "targetpath": "lrcourse"})
        events = hub.request(
            "GET", f"{hub.url}/user/{name}/git-pull/api?{query}", raw=True)
        phases = [json.loads(line[5:])["phase"]
                  for line in events.splitlines() if line.startswith("data:")]
        assert phases[-1] == "finished", events[-2000:]
        cloned = hub.homes / name / "lrcourse" / "notebooks"
        assert sorted(p.name for p in cloned.glob("*.ipynb")) == sorted(
            p.name for p in LESSONS[:2])
    finally:
        hub.stop_server(name)
