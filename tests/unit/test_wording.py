"""Our user-facing text shares no sentence with the article that inspired the app.

The article is kept next to the repository (``../shared/source-article.txt``, as CI has it)
only for this check; it never goes into the repository. Without it the test fails: a
check that cannot run must not pass.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT.parent / "shared" / "source-article.txt"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_wording", ROOT / "scripts/check_wording.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


CHECK = _checker()


@pytest.fixture(scope="module")
def article() -> object:
    if not ARTICLE.is_file():
        pytest.fail(f"{ARTICLE} is missing: the wording check cannot run without the article")
    return CHECK.Article.read(ARTICLE)


def test_no_user_facing_text_follows_the_article(article: object) -> None:
    texts = CHECK.our_texts(ROOT)
    names = {text.where.split(":")[0] for text in texts}
    assert {
        "deskmobility/exercises.toml",
        "deskmobility/core/checklist.py",
        "deskmobility/core/messages.py",
        "README.md",
        "config.example.toml",
    } <= names
    findings, scores = CHECK.check(article, texts)
    assert [str(finding) for finding in findings] == []
    assert len(scores) > 300  # the check did look at our sentences


def test_the_check_catches_a_copied_run_and_a_sentence_with_words_swapped() -> None:
    # Built from the article at run time, so none of its text enters the repository.
    sentences = [s for s in CHECK.sentences(ARTICLE.read_text(encoding="utf-8")) if ":" not in s]
    longest = max(sentences, key=lambda s: len(CHECK.words(s)))
    words = CHECK.words(longest)
    article = CHECK.Article.read(ARTICLE)
    copied = CHECK.Text("x:1", "Start here. " + " ".join(words[2:9]) + " and so on.")
    swapped = [("zzz" if i % 4 == 3 else w) for i, w in enumerate(words)]
    reworded = CHECK.Text("x:2", " ".join(swapped) + ".")
    findings, _ = CHECK.check(article, [copied, reworded])
    reasons = [(finding.where, finding.reason.split(" ")[0]) for finding in findings]
    assert ("x:1", "shares") in reasons
    assert any(where == "x:2" and reason != "shares" for where, reason in reasons)


def test_the_check_reads_every_kind_of_source(tmp_path: Path) -> None:
    (tmp_path / "deskmobility/core").mkdir(parents=True)
    (tmp_path / "deskmobility/core/messages.py").write_text(
        '"""A docstring is not user-facing."""\nCUE = "Sit tall."\n', encoding="utf-8"
    )
    (tmp_path / "deskmobility/exercises.toml").write_text(
        '# a comment line\nsteps = ["One step.", "Two steps."]\n', encoding="utf-8"
    )
    (tmp_path / "README.md").write_text("# Title\n\nOne sentence\nover two lines.\n")
    (tmp_path / "config.example.toml").write_text("# A comment\n# that wraps.\nkey = 1\n")
    found = [(text.where, text.text) for text in CHECK.our_texts(tmp_path)]
    assert found == [
        ("deskmobility/core/messages.py:2", "Sit tall."),
        ("deskmobility/exercises.toml:1", "a comment line"),
        ("deskmobility/exercises.toml:2", "One step."),
        ("deskmobility/exercises.toml:2", "Two steps."),
        ("README.md:1", "# Title"),
        ("README.md:3", "One sentence\nover two lines."),
        ("config.example.toml:1", "A comment\nthat wraps."),
        ("config.example.toml:3", "key = 1"),
    ]


def test_a_missing_article_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert CHECK.main(["--article", str(tmp_path / "nowhere.txt")]) == 2
    assert "missing" in capsys.readouterr().err
