"""The offline comment classifier: accuracy on the labelled set and the tricky cases."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from insights.comments import CLASSIFIER_VERSION, classify

EVAL_SET = Path(__file__).resolve().parents[2] / "insights" / "eval" / "comments_labelled.csv"


def rows(split: str) -> list[dict[str, str]]:
    with EVAL_SET.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["split"] == split]


def test_eval_set_is_large_balanced_and_has_a_holdout() -> None:
    everything = rows("dev") + rows("holdout")
    assert len(everything) >= 200
    assert len(rows("holdout")) >= 50
    for language in ("de", "en"):
        subset = [r for r in everything if r["language"] == language]
        assert len(subset) >= 90
        for label in ("negative", "neutral", "positive"):
            assert sum(r["sentiment"] == label for r in subset) >= 25, (language, label)
        for intent in ("question", "complaint", "praise", "purchase_interest", "other"):
            assert sum(r["intent"] == intent for r in subset) >= 15, (language, intent)
    assert {"negation", "irony", "dialect", "emoji"} <= {r["tags"] for r in everything}


def test_held_in_sample_is_classified_as_labelled() -> None:
    sample = rows("dev")
    sentiment = sum(classify(r["text"]).sentiment_label == r["sentiment"] for r in sample)
    intent = sum(classify(r["text"]).intent == r["intent"] for r in sample)
    language = sum(classify(r["text"]).language == r["language"] for r in sample)
    assert sentiment / len(sample) >= 0.95
    assert intent / len(sample) >= 0.95
    assert language / len(sample) >= 0.95


def test_holdout_polar_comments_reach_the_target() -> None:
    polar = [r for r in rows("holdout") if r["sentiment"] != "neutral"]
    right = sum(
        (classify(r["text"]).sentiment_score > 0) == (r["sentiment"] == "positive") for r in polar
    )
    assert right / len(polar) >= 0.8


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Nicht schlecht, wirklich nicht schlecht!", "positive"),  # negated negative
        ("Kein guter Service mehr.", "negative"),  # negated positive
        ("Not bad at all, actually really good.", "positive"),
        ("I wouldn't recommend this place to anyone.", "negative"),
        ("Never had a better croissant!", "positive"),  # negation before a comparative
        ("Na toll, schon wieder geschlossen. Danke für nichts.", "negative"),  # irony
        ("Great, another price increase without any notice 🙄", "negative"),
        ('Yeah right, "fresh" bread. It was rock hard.', "negative"),
        ("Super Service, 40 Minuten gewartet und dann kein Wort der Entschuldigung.", "negative"),
        ("Mega guet gsi, merci vielmal!", "positive"),  # Swiss German
        ("Sauguad wars, mia kemma wieda!", "positive"),  # Bavarian
        ("Koi Mensch goht ans Telefon, des isch doch net normal.", "negative"),  # Swabian
        ("😍😍😍", "positive"),
        ("👎", "negative"),
        ("Ich war skeptisch, aber das Ergebnis ist echt super.", "positive"),  # contrast
        ("Habt ihr am Sonntag offen?", "neutral"),
        ("Schneidet ihr auch Locken trocken?", "neutral"),  # 'trocken' as a technique
    ],
)
def test_tricky_sentiment(text: str, label: str) -> None:
    assert classify(text).sentiment_label == label


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Warum antwortet eigentlich niemand auf meine Mails?", "complaint"),  # negative question
        ("Was kostet eine Balayage bei langen Haaren?", "purchase_interest"),
        ("Can I pre-order a birthday cake for Friday?", "purchase_interest"),
        ("Macht ihr auch kleinere Reparaturen?", "question"),
        ("Who's coming to the market on Saturday? @Ben", "other"),  # asks a friend
        ("Sehr freundliches Team, absolute Empfehlung!", "praise"),
        ("Das Wetter ist heute echt mies.", "other"),  # negative, but not about the business
        ("Kann ich nur bestätigen!", "other"),
        ("", "other"),
    ],
)
def test_intent_rules(text: str, intent: str) -> None:
    assert classify(text).intent == intent


def test_result_ranges_and_language() -> None:
    result = classify("Ihr seid einfach klasse!")
    assert result.language == "de" and -1 <= result.sentiment_score <= 1
    assert classify("Thank you so much!").language == "en"
    assert classify("🙂").language == "und"
    assert classify(None).sentiment_label == "neutral"
    assert CLASSIFIER_VERSION
