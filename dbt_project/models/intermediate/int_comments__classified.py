"""Comments of every enabled network with language, sentiment and intent from the offline
classifier (package ``insights.comments``). The keyed commenter pseudonym (commenter_key) passes
through: staging computes it (SQL function ``messbar_commenter_key`` from the dbt-duckdb plugin
``insights.dbt_plugin``), so no platform user id is stored outside raw.
Python models cannot be views, hence the materialization set in this file: incremental, because
classifying is the costly part of a nightly run. A nightly run classifies only comments whose
latest fetch (or the classifier version) differs from what the table holds; a comment is
replaced whole (unique key platform + comment_id). After changing the pseudonym key run a full
refresh, or old and new pseudonyms mix.
"""

import pandas as pd

COLUMNS = [
    "platform",
    "business",
    "account_id",
    "post_id",
    "comment_id",
    "parent_comment_id",
    "commented_at",
    "message",
    "like_count",
    "reply_count",
    "is_from_owner",
    "commenter_key",
    "language",
    "sentiment_score",
    "sentiment_label",
    "intent",
    "is_question",
    "classifier_version",
    "fetched_at",
]

TYPES = {
    "commented_at": "timestamptz",
    "fetched_at": "timestamptz",
    "like_count": "bigint",
    "reply_count": "bigint",
    "is_from_owner": "boolean",
    "is_question": "boolean",
    "sentiment_score": "double",
}


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key=["platform", "comment_id"],
        on_schema_change="fail",
    )
    from insights.comments import CLASSIFIER_VERSION, classify

    unioned = dbt.ref("int_comments__unioned")
    if dbt.is_incremental:
        done = session.sql(
            f"select platform, comment_id, fetched_at from {dbt.this} "  # noqa: S608
            f"where classifier_version = '{CLASSIFIER_VERSION}'"
        )
        unioned = unioned.set_alias("comment").join(
            done.set_alias("done"),
            "comment.platform = done.platform and comment.comment_id = done.comment_id "
            "and comment.fetched_at = done.fetched_at",
            how="anti",
        )
    comments = unioned.df()
    # a text blanked by the retention job (messbar.privacy) is NULL, which pandas may hand over
    # as NaN: classify it as no text
    texts = [text if isinstance(text, str) else None for text in comments["message"].tolist()]
    comments["message"] = pd.Series(texts, index=comments.index, dtype="object")
    results = [classify(text) for text in texts]
    comments["language"] = [r.language for r in results]
    comments["sentiment_score"] = pd.Series([r.sentiment_score for r in results], dtype="float64")
    comments["sentiment_label"] = [r.sentiment_label for r in results]
    comments["intent"] = [r.intent for r in results]
    comments["is_question"] = pd.Series([r.is_question for r in results], dtype="bool")
    comments["classifier_version"] = CLASSIFIER_VERSION
    # typed explicitly: with no comments at all pandas has no types and DuckDB would make NULL
    # columns, which the marts' contracts and unit tests cannot cast
    session.register("classified_comments", comments[COLUMNS])
    casts = ", ".join(f"cast({c} as {TYPES.get(c, 'varchar')}) as {c}" for c in COLUMNS)
    return session.sql(f"select {casts} from classified_comments")  # noqa: S608 - fixed names
