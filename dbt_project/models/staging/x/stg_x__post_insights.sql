-- One row per post and metric: every numeric key of public_metrics, non_public_metrics and
-- organic_metrics becomes metric_name '<group>.<key>' (latest fetch wins per post and metric, so
-- private metrics keep their last value after X stops serving them at 30 days). The metric
-- registry maps metrics to conformed measures; a measure fed by several metrics (shares =
-- retweets + quotes, clicks = link + profile clicks) gets one extra row named after all its
-- metrics ('a+b') with the sum of those present (X sends url_link_clicks only for posts with a
-- link), and its parts stay as detail rows without a measure.
with

source as (
    select * from {{ source('x', 'x__posts') }}
),

registry as (
    select
        platform_metric,
        measure_name,
        available_from,
        retired_on
    from {{ ref('metric_registry__x') }}
    where level = 'post'
),

-- a measure fed by several metrics is named after all of them, present or not in a payload
measures as (
    select
        measure_name,
        count(*) as metrics_in_measure,
        string_agg(platform_metric, '+' order by platform_metric) as measure_formula
    from registry
    where measure_name is not null
    group by measure_name
),

metric_groups as (
    select
        source.business,
        source.account_id,
        json_extract_string(source.payload, '$.id') as post_id,
        source.payload,
        metric_group.name as metric_group,
        source._fetched_at,
        source._file,
        source._row
    from source
    cross join
        (
            values ('public_metrics'), ('non_public_metrics'), ('organic_metrics')
        ) as metric_group (name)
    where json_type(source.payload, '$.' || metric_group.name) = 'OBJECT'
),

metric_keys as (
    select
        *,
        unnest(json_keys(payload, '$.' || metric_group)) as metric_key
    from metric_groups
),

typed as (
    select
        business,
        account_id,
        post_id,
        metric_group || '.' || metric_key as metric_name,
        cast(
            json_extract_string(payload, '$.' || metric_group || '.' || metric_key) as double
        ) as metric_value,
        _fetched_at,
        _file,
        _row
    from metric_keys
    where
        json_type(payload, '$.' || metric_group || '.' || metric_key)
        in ('BIGINT', 'UBIGINT', 'DOUBLE')
    {{ latest_row(['post_id', 'metric_name']) }}
),

mapped as (
    select
        typed.business,
        typed.account_id,
        typed.post_id,
        typed.metric_name,
        typed.metric_value,
        typed._fetched_at,
        registry.measure_name,
        coalesce(measures.metrics_in_measure, 0) as metrics_in_measure,
        measures.measure_formula
    from typed
    left join registry
        on
            typed.metric_name = registry.platform_metric
            and cast(timezone('UTC', typed._fetched_at) as date) >= registry.available_from
            and (
                registry.retired_on is null
                or cast(timezone('UTC', typed._fetched_at) as date) < registry.retired_on
            )
    left join measures
        on registry.measure_name = measures.measure_name
),

single_metrics as (
    select
        business,
        account_id,
        post_id,
        metric_name,
        case when metrics_in_measure = 1 then measure_name end as measure_name,
        metric_value,
        _fetched_at as fetched_at
    from mapped
),

summed_measures as (
    select
        business,
        account_id,
        post_id,
        measure_formula as metric_name,
        measure_name,
        sum(metric_value) as metric_value,
        max(_fetched_at) as fetched_at
    from mapped
    where measure_name is not null and metrics_in_measure > 1
    group by business, account_id, post_id, measure_name, measure_formula
)

select
    'x' as platform,
    business,
    account_id,
    post_id,
    metric_name,
    measure_name,
    metric_value,
    fetched_at
from single_metrics
union all
select
    'x' as platform,
    business,
    account_id,
    post_id,
    metric_name,
    measure_name,
    metric_value,
    fetched_at
from summed_measures
