"""Rule- and lexicon-based classification of one social media comment.

Sentiment follows the VADER recipe (Hutto & Gilbert 2014): sum word valences after applying
negation (a flip by -0.74 within three tokens, stopped by punctuation), intensifiers and
diminishers, contrast words ("aber", "but": the clause after counts 1.5x, before 0.5x),
exclamation marks and emoji, then squash the sum into -1..1 with x / sqrt(x^2 + 15). Irony cues
("na toll", "thanks for nothing", an eye roll, a quoted positive word) turn a positive sum
negative. Intent comes from rules on top: complaint, purchase interest, question, praise, other.
Everything runs offline from the word lists in ``lexicon.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from insights.comments import lexicon as lx

CLASSIFIER_VERSION = "messbar-comments-rules-1.0"

LANGUAGES = ("de", "en", "und")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
INTENTS = ("question", "complaint", "praise", "purchase_interest", "other")

POSITIVE_THRESHOLD = 0.2
NEGATIVE_THRESHOLD = -0.2
_ALPHA = 15.0

_EMOJI = "".join(sorted(lx.EMOJI_VALENCE))
_TOKEN = re.compile(rf"[a-zäöüß][a-zäöüß'’-]*|[{re.escape(_EMOJI)}]|[,.;:!?]|[A-Z_]+")
_PURCHASE = re.compile("|".join(lx.PURCHASE_PATTERNS))
_QUOTED_WORD = re.compile(r"[\"“„‚'«»]([a-zäöüß]+)[\"“”‘'«»]")
_MENTION = re.compile(r"[@#]\w+")
_PHRASES = sorted(lx.PHRASES.items(), key=lambda kv: -len(kv[0]))
_BOUNDARY = frozenset(",.;:!?")
_GERMAN_ENDINGS = ("en", "er", "es", "em", "e", "s", "n")


@dataclass(frozen=True)
class Classification:
    language: str  # 'de', 'en' or 'und' (undetermined)
    sentiment_score: float  # -1 .. 1
    sentiment_label: str  # negative | neutral | positive
    intent: str  # question | complaint | praise | purchase_interest | other
    is_question: bool


def classify(text: str | None) -> Classification:
    """Language, sentiment and intent of one comment; empty text is neutral 'other'."""
    addresses_someone = bool(_MENTION.search(text or ""))
    normalized = _normalize(text or "")
    tokens = _tokens(normalized)
    language = detect_language(_TOKEN.findall(normalized), normalized)
    score = sentiment_score(tokens, normalized)
    label = _label(score)
    is_question = _is_question(tokens, normalized)
    intent = _intent(tokens, normalized, label, is_question and not addresses_someone)
    return Classification(language, score, label, intent, is_question)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\ufe0f", "").replace("’", "'")
    text = _MENTION.sub(" ", text.lower())
    text = re.sub(r"\s+", " ", text).strip()
    if "/s" in text.split():
        text = text.replace("/s", " IRONY ")
    return text


def _tokens(normalized: str) -> list[str]:
    text = normalized
    for pattern, replacement in lx.REGEX_PHRASES:
        text = re.sub(pattern, f" {replacement} ", text)
    text = re.sub(r"\s+", " ", text)
    for phrase, replacement in _PHRASES:
        text = re.sub(rf"(?<![a-zäöüß]){re.escape(phrase)}(?![a-zäöüß])", f" {replacement} ", text)
    tokens = _TOKEN.findall(text)
    # repeated letters ("soooo", "toll!!!") keep their word but not their length
    return [re.sub(r"([a-zäöüß])\1{2,}", r"\1\1", t) if t.islower() else t for t in tokens]


def detect_language(tokens: list[str], normalized: str) -> str:
    """'de' or 'en' by stop words, sentiment words of one language and umlauts; 'und' when
    there is no evidence (emoji only, names, words both languages share such as "super")."""
    german = sum(t in lx.GERMAN_MARKERS or t in lx.VALENCE_DE for t in tokens)
    english = sum(t in lx.ENGLISH_MARKERS or t in lx.VALENCE_EN for t in tokens)
    german += 2 * len(re.findall(r"[äöüß]", normalized))
    if german == english == 0:
        return "und"
    return "de" if german >= english else "en"


def _lookup(token: str) -> float | None:
    if token in lx.PHRASE_VALENCE:
        return lx.PHRASE_VALENCE[token]
    if token in lx.VALENCE:
        return lx.VALENCE[token]
    if token in lx.EMOJI_VALENCE:
        return lx.EMOJI_VALENCE[token]
    for ending in _GERMAN_ENDINGS:
        stem = token[: -len(ending)] if token.endswith(ending) else None
        if stem and len(stem) >= 3 and stem in lx.VALENCE:
            return lx.VALENCE[stem]
    for prefix in lx.INTENSIFYING_PREFIXES:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 3 and rest in lx.VALENCE:
            return lx.VALENCE[rest] * 1.35
    return None


def _is_negator(token: str) -> bool:
    return token in lx.NEGATORS or token.endswith("n't") or token in {"dont", "cant", "wont"}


def sentiment_score(tokens: list[str], normalized: str) -> float:
    """Compound sentiment in -1..1 (see the module docstring)."""
    contrast_at = next((i for i, t in enumerate(tokens) if t in lx.CONTRAST_WORDS and i > 0), None)
    total = 0.0
    positive_words = 0
    for i, token in enumerate(tokens):
        valence = _lookup(token)
        if token == "super" and i + 1 < len(tokens) and _lookup(tokens[i + 1]):
            continue  # "super freundlich": super intensifies the next word
        if not valence:
            continue
        valence = _modified(tokens, i, valence)
        if contrast_at is not None:
            valence *= 0.5 if i < contrast_at else 1.5
        if valence > 0:
            positive_words += 1
        total += valence
    exclamations = min(normalized.count("!"), 4)
    if total:
        total += math.copysign(0.292 * exclamations, total)
    if _ironic(tokens, normalized, total):
        total = -max(abs(total), 1.5)
    return round(total / math.sqrt(total * total + _ALPHA), 4)


def _modified(tokens: list[str], i: int, valence: float) -> float:
    """Valence of tokens[i] after intensifiers and negation in the three tokens before it."""
    scale = 1.0
    for distance in range(1, lx.NEGATION_WINDOW + 1):
        j = i - distance
        if j < 0 or tokens[j] in _BOUNDARY:
            break
        before = tokens[j]
        boost = lx.INTENSIFIERS.get(before)
        if before == "super" and distance == 1:
            boost = lx.INTENSIFIERS["super_int"]
        if boost is not None and distance <= 2:
            scale += boost * (1.0 if distance == 1 else 0.7)
        if _is_negator(before):
            between = tokens[j + 1 : i]
            if not any(t in lx.COMPARATIVES for t in between) and tokens[i] not in (
                lx.COMPARATIVES
            ):
                scale *= lx.NEGATION_SCALAR
            break
    return valence * scale


def _ironic(tokens: list[str], normalized: str, total: float) -> bool:
    """Irony turns praise words into criticism: explicit cues, or a positive sum next to an
    eye roll, a quoted positive word, or several complaint facts (waiting, again, no word)."""
    if "IRONY" in tokens:
        return True
    if total <= 0:
        return False
    if any(t in lx.IRONY_EMOJI for t in tokens):
        return True
    if any((_lookup(w) or 0) > 0 for w in _QUOTED_WORD.findall(normalized)):
        return True
    facts = sum(
        1
        for t in tokens
        if t in {"AGAIN", "NO_WORD", "gewartet", "waited", "niemand", "nobody", "minuten"}
    )
    return facts >= 2


def _label(score: float) -> str:
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _is_question(tokens: list[str], normalized: str) -> bool:
    if "?" in normalized:
        return True
    words = [t for t in tokens if t not in _BOUNDARY]
    return (
        bool(words)
        and words[0] in lx.QUESTION_STARTERS
        and len(words) > 2
        and (words[0] not in {"is", "ist", "isch", "sind", "kann", "can", "was", "macht", "do"})
    )


def _intent(tokens: list[str], normalized: str, label: str, is_question: bool) -> str:
    off_topic = any(t in lx.OFF_TOPIC for t in tokens)
    agreement = any(t in lx.AGREEMENT for t in tokens)
    if label == "negative" and not off_topic:
        return "complaint"
    if _PURCHASE.search(normalized):
        return "purchase_interest"
    if is_question:
        return "question"
    if label == "positive" and not off_topic and not agreement:
        return "praise"
    return "other"
