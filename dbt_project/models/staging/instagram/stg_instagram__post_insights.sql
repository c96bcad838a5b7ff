-- Lifetime media insights, one row per media and metric (latest fetch wins). Instagram answers
-- "no data" with an empty `values` list (kept here as a NULL metric_value) or an empty data set
-- (no row at all): both end as NULL measures in the marts, never as 0.
with

source as (
    select * from {{ source('instagram', 'instagram__media_insights') }}

    {{ loaded_since_last_build() }}
),

registry as (
    select * from {{ ref('metric_registry__instagram') }}
    where level = 'post'
),

renamed as (
    select
        business,
        account_id,
        -- object_id is the media the insights edge was called on; the payload id is
        -- "{media-id}/insights/{metric}/lifetime".
        coalesce(
            object_id, split_part(json_extract_string(payload, '$.id'), '/insights/', 1)
        ) as post_id,
        json_extract_string(payload, '$.name') as metric_name,
        try_cast(json_extract_string(payload, '$.values[0].value') as double) as metric_value,
        coalesce(json_array_length(payload, '$.values') > 0, false) as has_value,
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
    'instagram' as platform,
    latest.business,
    latest.account_id,
    latest.post_id,
    latest.metric_name,
    -- mapped only while the metric was in service when it was fetched (plays -> views until
    -- 2025-04-21, views from then on)
    registry.measure_name,
    latest.metric_value,
    latest.has_value,
    latest._fetched_at as fetched_at,
    latest._fetched_at,
    latest._file,
    latest._row,
    latest._loaded_at
from latest
left join registry
    on
        latest.metric_name = registry.platform_metric
        and cast(timezone('UTC', latest._fetched_at) as date) >= registry.available_from
        and (
            registry.retired_on is null
            or cast(timezone('UTC', latest._fetched_at) as date) < registry.retired_on
        )
