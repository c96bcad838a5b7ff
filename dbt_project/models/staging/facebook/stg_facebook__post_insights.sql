with

source as (
    select * from {{ source('facebook', 'facebook__post_insights') }}
    {{ loaded_since_last_build() }}
),

renamed as (
    select
        business,
        account_id,
        -- object_id is the post the insights edge was called on; the payload id is
        -- "{post-id}/insights/{metric}/lifetime".
        coalesce(
            object_id, split_part(json_extract_string(payload, '$.id'), '/insights/', 1)
        ) as post_id,
        json_extract_string(payload, '$.name') as metric_name,
        try_cast(json_extract_string(payload, '$.values[0].value') as double) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
    where json_extract_string(payload, '$.period') = 'lifetime'
),

candidates as (
    {{ with_current_rows('renamed', ['post_id', 'metric_name']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['post_id', 'metric_name']) }}
)

select
    'facebook' as platform,
    business,
    account_id,
    post_id,
    metric_name,
    -- Facebook's metric names mapped to the conformed measures of int_posts__unioned.
    case metric_name
        when 'post_media_view' then 'views'
        when 'post_total_media_view_unique' then 'viewers'
        when 'post_clicks' then 'clicks'
    end as measure_name,
    metric_value,
    _fetched_at as fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
