-- Comments and replies on the organization's posts, one row per comment (latest fetch wins).
-- Privacy: the commenter's actor URN (commenter_id) is kept only for the keyed pseudonym in
-- int_comments__classified and never reaches a mart; is_from_owner: actor =
-- urn:li:organization:{account_id}.
with

source as (
    select * from {{ source('linkedin', 'linkedin__comments') }}
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
        json_extract_string(payload, '$.actor') as commenter_id,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row
    from source
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
    commenter_id,
    fetched_at
from renamed
