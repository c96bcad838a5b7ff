"""Qualitative insights for the marts: comment classification and commenter pseudonyms."""
