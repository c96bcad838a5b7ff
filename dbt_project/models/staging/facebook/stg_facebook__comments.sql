-- Privacy: the commenter's name never leaves raw, nor does the platform user id: it becomes
-- the keyed pseudonym commenter_key (messbar_commenter_key, insights/dbt_plugin.py) here.
with

source as (
    select * from {{ source('facebook', 'facebook__comments') }}
    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'facebook' as platform,
        business,
        account_id,
        object_id as post_id,
        json_extract_string(payload, '$.id') as comment_id,
        json_extract_string(payload, '$.parent.id') as parent_comment_id,
        cast(json_extract_string(payload, '$.created_time') as timestamptz) as commented_at,
        json_extract_string(payload, '$.message') as message,
        cast(json_extract_string(payload, '$.like_count') as bigint) as like_count,
        cast(json_extract_string(payload, '$.comment_count') as bigint) as reply_count,
        coalesce(json_extract_string(payload, '$.from.id') = account_id, false) as is_from_owner,
        messbar_commenter_key(
            'facebook', json_extract_string(payload, '$.from.id')
        ) as commenter_key,
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
