-- Comments and their replies (nested under `replies.data`, one level deep on Instagram), one
-- row per comment. Privacy: no username leaves raw, nor does the commenter's IG user id: it
-- becomes the keyed pseudonym commenter_key (messbar_commenter_key, insights/dbt_plugin.py).
with

source as (
    select * from {{ source('instagram', 'instagram__comments') }}

    {{ loaded_since_last_build() }}
),

top_level as (
    select
        business,
        account_id,
        object_id as post_id,
        payload as comment_json,
        cast(null as varchar) as parent_comment_id,
        coalesce(json_array_length(payload, '$.replies.data'), 0) as reply_count,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

replies as (
    select
        business,
        account_id,
        object_id as post_id,
        unnest(json_extract(payload, '$.replies.data[*]')) as comment_json,
        json_extract_string(payload, '$.id') as parent_comment_id,
        -- Instagram replies cannot be replied to
        0 as reply_count,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

unioned as (
    select * from top_level
    union all
    select * from replies
),

renamed as (
    select
        'instagram' as platform,
        business,
        account_id,
        post_id,
        json_extract_string(comment_json, '$.id') as comment_id,
        parent_comment_id,
        cast(json_extract_string(comment_json, '$.timestamp') as timestamptz) as commented_at,
        json_extract_string(comment_json, '$.text') as message,
        cast(json_extract_string(comment_json, '$.like_count') as bigint) as like_count,
        cast(reply_count as bigint) as reply_count,
        coalesce(
            json_extract_string(comment_json, '$.from.id') = account_id, false
        ) as is_from_owner,
        messbar_commenter_key(
            'instagram',
            coalesce(
                json_extract_string(comment_json, '$.from.id'),
                json_extract_string(comment_json, '$.user.id')
            )
        ) as commenter_key,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from unioned
),

candidates as (
    {{ with_current_rows('renamed', ['comment_id']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['comment_id']) }}
)

select
    platform,
    business,
    account_id,
    post_id,
    comment_id,
    parent_comment_id,
    commented_at,
    message,
    like_count,
    reply_count,
    is_from_owner,
    commenter_key,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
