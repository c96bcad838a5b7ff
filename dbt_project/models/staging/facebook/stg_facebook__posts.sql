with

source as (
    select * from {{ source('facebook', 'facebook__posts') }}
    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'facebook' as platform,
        business,
        account_id,
        json_extract_string(payload, '$.id') as post_id,
        cast(json_extract_string(payload, '$.created_time') as timestamptz) as published_at,
        cast(json_extract_string(payload, '$.updated_time') as timestamptz) as updated_at,
        json_extract_string(payload, '$.message') as message,
        json_extract_string(payload, '$.permalink_url') as permalink_url,
        json_extract_string(payload, '$.status_type') as post_type,
        cast(
            json_extract_string(payload, '$.reactions.summary.total_count') as bigint
        ) as reactions,
        cast(
            json_extract_string(payload, '$.comments.summary.total_count') as bigint
        ) as comments,
        -- Graph omits `shares` when a post has none.
        coalesce(cast(json_extract_string(payload, '$.shares.count') as bigint), 0) as shares,
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
    post_type,
    reactions,
    comments,
    shares,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
