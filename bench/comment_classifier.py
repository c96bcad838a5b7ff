"""Accuracy of the comment classifier on the hand-labelled evaluation set.

    .venv/bin/python bench/comment_classifier.py [--split dev|holdout|all] [--errors]

Prints language, sentiment and intent accuracy overall and per language, the accuracy on
clearly polar comments (labelled positive or negative: is the sign right?), per-tag accuracy
(negation, irony, dialect, emoji) and confusion matrices. The 'holdout' split was not looked
at while the word lists and rules were tuned; report that figure.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from insights.comments import INTENTS, SENTIMENT_LABELS, classify  # noqa: E402

EVAL_SET = REPO / "insights" / "eval" / "comments_labelled.csv"


def load(split: str) -> list[dict[str, str]]:
    with EVAL_SET.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows if split == "all" else [r for r in rows if r["split"] == split]


def accuracy(pairs: Iterable[tuple[str, str]]) -> tuple[float, int]:
    pairs = list(pairs)
    if not pairs:
        return float("nan"), 0
    return sum(a == b for a, b in pairs) / len(pairs), len(pairs)


def confusion(pairs: list[tuple[str, str]], labels: tuple[str, ...], title: str) -> str:
    counts = Counter(pairs)
    width = max(len(label) for label in labels) + 2
    lines = [f"{title} (rows: labelled, columns: predicted)"]
    lines.append(" " * width + "".join(f"{label[:10]:>12}" for label in labels))
    for truth in labels:
        cells = "".join(f"{counts[(truth, predicted)]:>12}" for predicted in labels)
        lines.append(f"{truth:<{width}}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="holdout")
    parser.add_argument("--errors", action="store_true", help="list misclassified comments")
    args = parser.parse_args(argv)

    rows = load(args.split)
    for row in rows:
        row["result"] = classify(row["text"])

    def line(name: str, subset: list[dict], field: str, attr: str) -> str:
        acc, n = accuracy((r[field], getattr(r["result"], attr)) for r in subset)
        return f"  {name:<34} {acc:6.3f}  (n={n})"

    print(f"comment classifier on {EVAL_SET.relative_to(REPO)}, split={args.split}")
    polar = [r for r in rows if r["sentiment"] != "neutral"]
    for title, field, attr in (
        ("language", "language", "language"),
        ("sentiment label (3 classes)", "sentiment", "sentiment_label"),
        ("intent (5 classes)", "intent", "intent"),
    ):
        print(f"{title}:")
        print(line("overall", rows, field, attr))
        for lang in ("de", "en"):
            print(line(f"language={lang}", [r for r in rows if r["language"] == lang], field, attr))
    print("clearly positive vs negative (sign of the score on polar comments):")
    sign = [
        (r["sentiment"], "positive" if r["result"].sentiment_score > 0 else "negative")
        for r in polar
    ]
    acc, n = accuracy(sign)
    print(f"  {'overall':<34} {acc:6.3f}  (n={n})")
    print(line("label on polar comments", polar, "sentiment", "sentiment_label"))
    for lang in ("de", "en"):
        sub = [r for r in polar if r["language"] == lang]
        acc, n = accuracy(
            (r["sentiment"], "positive" if r["result"].sentiment_score > 0 else "negative")
            for r in sub
        )
        print(f"  {'sign, language=' + lang:<34} {acc:6.3f}  (n={n})")
    print("sentiment label by tag:")
    for tag in sorted({r["tags"] for r in rows if r["tags"]}):
        print(line(tag, [r for r in rows if r["tags"] == tag], "sentiment", "sentiment_label"))
    print()
    print(
        confusion(
            [(r["sentiment"], r["result"].sentiment_label) for r in rows],
            SENTIMENT_LABELS,
            "sentiment",
        )
    )
    print()
    print(confusion([(r["intent"], r["result"].intent) for r in rows], INTENTS, "intent"))
    if args.errors:
        print("\nerrors:")
        for r in rows:
            res = r["result"]
            if (r["sentiment"], r["intent"], r["language"]) != (
                res.sentiment_label,
                res.intent,
                res.language,
            ):
                print(
                    f"  {r['text']!r}: labelled {r['language']}/{r['sentiment']}/{r['intent']},"
                    f" got {res.language}/{res.sentiment_label}({res.sentiment_score})/"
                    f"{res.intent}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
