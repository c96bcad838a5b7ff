-- Instagram media (feed posts, carousels, Reels), one row per media: the latest fetch wins
-- (like_count and comments_count only grow). The media object has no share counter and no edit
-- time: shares come from media insights in int_posts__unioned, updated_at stays NULL.
with

source as (
    select * from {{ source('instagram', 'instagram__media') }}

    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'instagram' as platform,
        business,
        account_id,
        json_extract_string(payload, '$.id') as post_id,
        cast(json_extract_string(payload, '$.timestamp') as timestamptz) as published_at,
        cast(null as timestamptz) as updated_at,
        json_extract_string(payload, '$.caption') as message,
        json_extract_string(payload, '$.permalink') as permalink_url,
        lower(
            json_extract_string(payload, '$.media_product_type')
            || '_'
            || json_extract_string(payload, '$.media_type')
        ) as post_type,
        json_extract_string(payload, '$.media_type') as media_type,
        json_extract_string(payload, '$.media_product_type') as media_product_type,
        cast(json_extract_string(payload, '$.like_count') as bigint) as reactions,
        cast(json_extract_string(payload, '$.comments_count') as bigint) as comments,
        cast(null as bigint) as shares,
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
    media_type,
    media_product_type,
    reactions,
    comments,
    shares,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
