"""Check that no user-facing text of ours follows the source article's sentences.

The article that inspired deskmobility is kept outside the repository
(``../shared/source-article.txt``) only so that this script can compare against it.
Two checks, both over normalized words (lowercase letters and digits):

* word runs: no run of ``RUN`` (6) or more consecutive words appears in both;
* sentences: no sentence of ours is close to one of the article's. Two measures over
  the word lists, from difflib's SequenceMatcher: the ratio (``SIMILAR`` or more flags
  it), and the share of our sentence's words that sit, in order, in runs of two or more
  words found in one sentence there (``COVERED`` or more flags it, for sentences of
  ``MIN_COVER_WORDS`` or more). A sentence that keeps the article's clauses in order
  with a few words swapped scores high on both even when no six-word run survives.

User-facing text is: every string in the exercise catalogue, the string constants of
the modules that write notifications, menu and command-line text (docstrings left
out), the README and the example config. Each finding names the file and line.

Run ``python scripts/check_wording.py`` (``--article PATH`` to point elsewhere,
``--top N`` to also print the N closest sentences and their scores). Exits 1 on a
finding, 2 when the article is missing.
"""

# ruff: noqa: INP001, T201  (a standalone script that prints, deliberately not a package)

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT.parent / "shared" / "source-article.txt"
RUN = 6
SIMILAR = 0.5
COVERED = 0.6
MIN_COVER_WORDS = 6
# Shorter sentences ("Hold 20 s.", "Switch sides.") are alike in any two texts on the
# subject; the word-run check still covers every sentence.
MIN_SENTENCE_WORDS = 5

PYTHON_TEXTS = (
    "deskmobility/core/budgets.py",
    "deskmobility/core/exercises.py",
    "deskmobility/exercises_cli.py",
    "deskmobility/core/checklist.py",
    "deskmobility/core/messages.py",
    "deskmobility/core/kinds.py",
    "deskmobility/core/guided.py",
    "deskmobility/core/places.py",
    "deskmobility/cli.py",
)
TOML_TEXTS = ("deskmobility/exercises.toml",)
PROSE_TEXTS = ("README.md", "config.example.toml")


@dataclass(frozen=True)
class Text:
    """One piece of our user-facing text and where it is."""

    where: str
    text: str


@dataclass(frozen=True)
class Finding:
    """A sentence of ours that follows the article."""

    where: str
    sentence: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}: {self.sentence!r}"


def words(text: str) -> list[str]:
    """The normalized words of a text."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def sentences(text: str) -> list[str]:
    """Split text into sentences; list items, table cells and headings stand alone."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*|#>]|\d+\.)\s)|\|", text):
        flat = " ".join(block.split())
        out.extend(part for part in re.split(r"(?<=[.!?])\s+", flat) if words(part))
    return out


def _python_texts(path: Path, name: str) -> list[Text]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        Text(f"{name}:{node.lineno}", node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _toml_texts(path: Path, name: str) -> list[Text]:
    # Every quoted string, with its line: the catalogue's user-facing text is all strings.
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("#"):
            found.append(Text(f"{name}:{number}", line.lstrip("# ")))
            continue
        found.extend(
            Text(f"{name}:{number}", match.group(1))
            for match in re.finditer(r'"((?:[^"\\]|\\.)*)"', line)
        )
    return found


def _prose_texts(path: Path, name: str) -> list[Text]:
    """Paragraphs with the line each starts on.

    In a TOML file, runs of comment lines are the paragraphs (markers dropped) and each
    line of settings stands alone.
    """
    found: list[Text] = []
    lines: list[str] = []
    start = 0
    for number, raw in enumerate([*path.read_text(encoding="utf-8").splitlines(), ""], 1):
        code = name.endswith(".toml") and not raw.lstrip().startswith("#")
        line = re.sub(r"^\s*#+ ?", "", raw) if name.endswith(".toml") else raw
        if line.strip() and not code and not re.match(r"\s*(?:[-*|#>]|\d+\.)\s", line):
            if not lines:
                start = number
            lines.append(line)
            continue
        if lines:
            found.append(Text(f"{name}:{start}", "\n".join(lines)))
        lines = [line] if line.strip() else []
        start = number
    return found


def our_texts(root: Path = ROOT) -> list[Text]:
    """Every user-facing text of ours that exists under ``root``."""
    texts: list[Text] = []
    readers = (
        (PYTHON_TEXTS, _python_texts),
        (TOML_TEXTS, _toml_texts),
        (PROSE_TEXTS, _prose_texts),
    )
    for names, reader in readers:
        for name in names:
            path = root / name
            if path.exists():
                texts.extend(reader(path, name))
    return texts


@dataclass(frozen=True)
class Article:
    """The article, prepared for comparison."""

    runs: frozenset[tuple[str, ...]]
    sentences: tuple[tuple[str, ...], ...]

    @classmethod
    def read(cls, path: Path) -> Article:
        """Read and index the article."""
        text = path.read_text(encoding="utf-8")
        every = words(text)
        runs = frozenset(tuple(every[i : i + RUN]) for i in range(len(every) - RUN + 1))
        kept = (tuple(words(s)) for s in sentences(text))
        return cls(runs, tuple(s for s in kept if len(s) >= MIN_SENTENCE_WORDS))

    def shared_run(self, ours: list[str]) -> str | None:
        """The first run of ``RUN`` words that ``ours`` shares with the article."""
        for i in range(len(ours) - RUN + 1):
            if tuple(ours[i : i + RUN]) in self.runs:
                return " ".join(ours[i : i + RUN])
        return None

    def closest(self, ours: list[str]) -> tuple[float, float]:
        """The highest ratio and the highest coverage of ``ours`` by one of the sentences."""
        ratio = cover = 0.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(ours)
        for theirs in self.sentences:
            matcher.set_seq1(theirs)
            quick = matcher.quick_ratio()  # an upper bound of the ratio, and of the matches
            most = quick * (len(theirs) + len(ours)) / 2 / len(ours)
            if quick <= ratio and most <= cover:
                continue
            ratio = max(ratio, matcher.ratio())
            runs = sum(block.size for block in matcher.get_matching_blocks() if block.size >= 2)  # noqa: PLR2004
            cover = max(cover, runs / len(ours))
        return ratio, cover


def check(article: Article, texts: list[Text]) -> tuple[list[Finding], list[tuple[float, Text]]]:
    """Return the findings, and every checked sentence with its closest score.

    The score is the ratio, or the coverage scaled so that both flag at ``SIMILAR``.
    """
    findings: list[Finding] = []
    scores: list[tuple[float, Text]] = []
    for text in texts:
        for sentence in sentences(text.text):
            ours = words(sentence)
            run = article.shared_run(ours)
            if run is not None:
                findings.append(Finding(text.where, sentence, f"shares the words {run!r}"))
            if len(ours) < MIN_SENTENCE_WORDS:
                continue
            ratio, cover = article.closest(ours)
            scores.append((max(ratio, cover * SIMILAR / COVERED), Text(text.where, sentence)))
            if ratio >= SIMILAR:
                findings.append(
                    Finding(text.where, sentence, f"{ratio:.2f} similar to a sentence there")
                )
            elif cover >= COVERED and len(ours) >= MIN_COVER_WORDS:
                findings.append(
                    Finding(text.where, sentence, f"{cover:.0%} of it follows a sentence there")
                )
    return findings, scores


def main(argv: list[str] | None = None) -> int:
    """Check the repository's texts; print findings; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", type=Path, default=ARTICLE)
    parser.add_argument("--top", type=int, default=0, help="print the N closest sentences")
    args = parser.parse_args(argv)
    if not args.article.is_file():
        print(f"{args.article}: the source article is missing; cannot check", file=sys.stderr)
        return 2
    texts = our_texts()
    findings, scores = check(Article.read(args.article), texts)
    for score, text in sorted(scores, key=lambda pair: -pair[0])[: args.top]:
        print(f"{score:.2f}  {text.where}: {text.text}")
    for finding in findings:
        print(finding)
    print(
        f"{len(texts)} texts, {len(scores)} sentences of {MIN_SENTENCE_WORDS}+ words checked; "
        f"{len(findings)} finding{'s' * (len(findings) != 1)}",
        file=sys.stderr,
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
