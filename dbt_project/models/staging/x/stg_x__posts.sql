-- X posts of the account (the timeline as configured: by default without retweets and replies),
-- one row per post, latest fetch wins. Reactions, comments and shares are public_metrics of the
-- post; they reach the marts through stg_x__post_insights and the metric registry (one mapping),
-- so they are NULL here.
with

source as (
    select * from {{ source('x', 'x__posts') }}

    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'x' as platform,
        business,
        account_id,
        json_extract_string(payload, '$.id') as post_id,
        cast(json_extract_string(payload, '$.created_at') as timestamptz) as published_at,
        -- X does not say when a post was edited (edits only within 30 minutes of posting).
        cast(null as timestamptz) as updated_at,
        json_extract_string(payload, '$.text') as message,
        'https://x.com/i/web/status/' || json_extract_string(payload, '$.id') as permalink_url,
        json_extract_string(payload, '$.referenced_tweets[*].type') as reference_types,
        json_extract_string(payload, '$.conversation_id') as conversation_id,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

candidates as (
    {{ with_current_rows('renamed', ['post_id']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['post_id']) }}
)

select
    platform,
    business,
    account_id,
    post_id,
    published_at,
    updated_at,
    message,
    permalink_url,
    case
        when list_contains(reference_types, 'retweeted') then 'retweet'
        when list_contains(reference_types, 'replied_to') then 'reply'
        when list_contains(reference_types, 'quoted') then 'quote'
        else 'post'
    end as post_type,
    cast(null as bigint) as reactions,
    cast(null as bigint) as comments,
    cast(null as bigint) as shares,
    conversation_id,
    reference_types,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
