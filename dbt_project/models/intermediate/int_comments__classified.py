"""Comments of every enabled network with language, sentiment and intent from the offline
classifier (package ``insights.comments``) and the keyed commenter pseudonym.

The pseudonym key is read from the environment here, at run time (``MESSBAR_PSEUDONYM_KEY``):
it is never a dbt var nor ``env_var()`` in SQL, so it cannot reach compiled SQL, logs or target
files. The platform user id (commenter_id) is dropped here; nothing downstream sees it.
Python models cannot be views, hence the table materialization set in this file.
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
    dbt.config(materialized="table")
    from insights.comments import CLASSIFIER_VERSION, classify
    from insights.pseudonym import commenter_key, pseudonym_key

    key = pseudonym_key()
    comments = dbt.ref("int_comments__unioned").df()
    results = [classify(text) for text in comments["message"].tolist()]
    comments["commenter_key"] = [
        commenter_key(platform, None if pd.isna(user_id) else str(user_id), key)
        for platform, user_id in zip(comments["platform"], comments["commenter_id"], strict=True)
    ]
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
