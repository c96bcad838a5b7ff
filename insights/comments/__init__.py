"""Offline comment classifier (language, sentiment, intent) for German and English comments."""

from insights.comments.classifier import (
    CLASSIFIER_VERSION,
    INTENTS,
    LANGUAGES,
    SENTIMENT_LABELS,
    Classification,
    classify,
)

__all__ = [
    "CLASSIFIER_VERSION",
    "INTENTS",
    "LANGUAGES",
    "SENTIMENT_LABELS",
    "Classification",
    "classify",
]
