-- Replies in the conversations of the account's posts, one row per reply (latest fetch wins).
-- Privacy: neither the author's handle nor author_id leaves raw: author_id becomes the keyed
-- pseudonym commenter_key (messbar_commenter_key, insights/dbt_plugin.py). X starts a reply
-- with the @handles it answers: they are cut off the message.
with

source as (
    select * from {{ source('x', 'x__replies') }}

    {{ loaded_since_last_build() }}
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
        messbar_commenter_key('x', json_extract_string(payload, '$.author_id')) as commenter_key,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

candidates as (
    {{ with_current_rows('renamed', ['comment_id']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['comment_id']) }}
),

parents as (
    select
        *,
        -- the post or reply this one answers; a direct reply to the post is top-level
        list_filter(
            referenced_tweets, lambda ref: json_extract_string(ref, '$.type') = 'replied_to'
        )[1] as replied_to
    from latest
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
    commenter_key,
    referenced_tweets,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from parents
