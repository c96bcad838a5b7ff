-- Comments and replies on the organization's posts, one row per comment (latest fetch wins).
-- Privacy: the commenter's actor URN never leaves raw: it becomes the keyed pseudonym
-- commenter_key (messbar_commenter_key, insights/dbt_plugin.py); is_from_owner: actor =
-- urn:li:organization:{account_id}.
with

source as (
    select * from {{ source('linkedin', 'linkedin__comments') }}

    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'linkedin' as platform,
        business,
        account_id,
        -- object_id is the post URN the comments were read for; the payload's `object` may be
        -- the activity URN instead
        coalesce(object_id, json_extract_string(payload, '$.object')) as post_id,
        json_extract_string(payload, '$.commentUrn') as comment_id,
        json_extract_string(payload, '$.parentComment') as parent_comment_id,
        to_timestamp(
            cast(json_extract_string(payload, '$.created.time') as bigint) / 1000
        ) as commented_at,
        json_extract_string(payload, '$.message.text') as message,
        cast(json_extract_string(payload, '$.likesSummary.totalLikes') as bigint) as like_count,
        cast(
            json_extract_string(payload, '$.commentsSummary.aggregatedTotalComments') as bigint
        ) as reply_count,
        coalesce(
            json_extract_string(payload, '$.actor') = 'urn:li:organization:' || account_id, false
        ) as is_from_owner,
        messbar_commenter_key(
            'linkedin', json_extract_string(payload, '$.actor')
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
