-- Lifetime share statistics per post in the conformed long shape: every numeric field of
-- totalShareStatistics becomes one row per post and metric (latest fetch wins), mapped to a
-- conformed measure through the metric registry seed. A field the API did not return has no
-- row, so the marts show NULL for it, never 0.
with

source as (
    select * from {{ source('linkedin', 'linkedin__post_statistics') }}

    {{ loaded_since_last_build() }}
),

statistics as (
    select
        business,
        account_id,
        coalesce(
            json_extract_string(payload, '$.share'),
            json_extract_string(payload, '$.ugcPost'),
            object_id
        ) as post_id,
        json_extract(payload, '$.totalShareStatistics') as statistics_json,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

metric_fields as (
    select
        business,
        account_id,
        post_id,
        statistics_json,
        unnest(json_keys(statistics_json)) as metric_name,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from statistics
),

typed as (
    select
        business,
        account_id,
        post_id,
        metric_name,
        cast(json_extract_string(statistics_json, '$."' || metric_name || '"') as double)
            as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from metric_fields
    where json_type(statistics_json, '$."' || metric_name || '"') in ('BIGINT', 'UBIGINT', 'DOUBLE')
),

candidates as (
    {{ with_current_rows('typed', ['post_id', 'metric_name']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['post_id', 'metric_name']) }}
),

registry as (
    select * from {{ ref('metric_registry__linkedin') }}
    where level = 'post'
)

select
    'linkedin' as platform,
    latest.business,
    latest.account_id,
    latest.post_id,
    latest.metric_name,
    registry.measure_name,
    latest.metric_value,
    latest._fetched_at as fetched_at,
    latest._fetched_at,
    latest._file,
    latest._row,
    latest._loaded_at
from latest
left join registry
    on latest.metric_name = registry.platform_metric
