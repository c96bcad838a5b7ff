-- Posts of the organization (Posts API), one row per post: the latest fetch wins. Times are epoch
-- milliseconds. The Posts API object carries no counters, so reactions, comments and shares are
-- NULL here and come from the lifetime statistics (stg_linkedin__post_insights).
with

source as (
    select * from {{ source('linkedin', 'linkedin__posts') }}

    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'linkedin' as platform,
        business,
        account_id,
        json_extract_string(payload, '$.id') as post_id,
        to_timestamp(
            cast(
                coalesce(
                    json_extract_string(payload, '$.publishedAt'),
                    json_extract_string(payload, '$.createdAt')
                ) as bigint
            ) / 1000
        ) as published_at,
        to_timestamp(
            cast(json_extract_string(payload, '$.lastModifiedAt') as bigint) / 1000
        ) as updated_at,
        json_extract_string(payload, '$.commentary') as message,
        'https://www.linkedin.com/feed/update/'
        || json_extract_string(payload, '$.id') as permalink_url,
        -- the content kind: media, article, multiImage, poll, celebration, ...; text-only posts
        -- have no content
        coalesce(json_keys(json_extract(payload, '$.content'))[1], 'text') as post_type,
        json_extract_string(payload, '$.lifecycleState') as lifecycle_state,
        json_extract_string(payload, '$.visibility') as visibility,
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
    cast(null as bigint) as reactions,
    cast(null as bigint) as comments,
    cast(null as bigint) as shares,
    lifecycle_state,
    visibility,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
