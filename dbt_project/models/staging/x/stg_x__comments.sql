-- Replies in the conversations of the account's posts, one row per reply (latest fetch wins).
-- Privacy: the author's handle never leaves raw; author_id (commenter_id) is kept only for the
-- keyed pseudonym in int_comments__classified and never reaches a mart. X starts a reply with
-- the @handles it answers: they are cut off the message.
with

source as (
    select * from {{ source('x', 'x__replies') }}
),

renamed as (
    select
        'x' as platform,
        business,
        account_id,
        object_id as post_id,
        json_extract_string(payload, '$.id') as comment_id,
        json_extract_string(
            payload, '$.referenced_tweets[*]'
        ) as referenced_tweets,
        cast(json_extract_string(payload, '$.created_at') as timestamptz) as commented_at,
        regexp_replace(
            json_extract_string(payload, '$.text'), '^(@\w+\s+)+', ''
        ) as message,
        cast(
            json_extract_string(payload, '$.public_metrics.like_count') as bigint
        ) as like_count,
        cast(
            json_extract_string(payload, '$.public_metrics.reply_count') as bigint
        ) as reply_count,
        coalesce(json_extract_string(payload, '$.author_id') = account_id, false) as is_from_owner,
        json_extract_string(payload, '$.author_id') as commenter_id,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row
    from source
    {{ latest_row(['comment_id']) }}
),

parents as (
    select
        *,
        -- the post or reply this one answers; a direct reply to the post is top-level
        list_filter(
            referenced_tweets, lambda ref: json_extract_string(ref, '$.type') = 'replied_to'
        )[1] as replied_to
    from renamed
)

select
    platform,
    business,
    account_id,
    post_id,
    comment_id,
    nullif(json_extract_string(replied_to, '$.id'), post_id) as parent_comment_id,
    commented_at,
    message,
    like_count,
    reply_count,
    is_from_owner,
    commenter_id,
    fetched_at
from parents
