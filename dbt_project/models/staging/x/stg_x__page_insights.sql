-- X has no daily account metrics in the API: the user object's public_metrics are counts at
-- fetch time. Each count becomes one row on the UTC day of the fetch (metric_day_basis
-- 'utc_day', period 'snapshot'); the latest fetch of a day wins. The metric registry maps
-- public_metrics.followers_count to followers; the other counts stay as detail rows.
with

source as (
    select * from {{ source('x', 'x__user') }}

    {{ loaded_since_last_build() }}
),

registry as (
    select
        platform_metric,
        measure_name,
        available_from,
        retired_on
    from {{ ref('metric_registry__x') }}
    where level = 'account_daily'
),

metric_keys as (
    select
        business,
        account_id,
        payload,
        unnest(json_keys(payload, '$.public_metrics')) as metric_key,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
    where json_type(payload, '$.public_metrics') = 'OBJECT'
),

typed as (
    select
        business,
        account_id,
        'public_metrics.' || metric_key as metric_name,
        cast(timezone('UTC', _fetched_at) as date) as metric_date,
        cast(
            json_extract_string(payload, '$.public_metrics.' || metric_key) as double
        ) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from metric_keys
    where
        json_type(payload, '$.public_metrics.' || metric_key)
        in ('BIGINT', 'UBIGINT', 'DOUBLE')
),

candidates as (
    {{ with_current_rows('typed', ['account_id', 'metric_name', 'metric_date']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['account_id', 'metric_name', 'metric_date']) }}
)

select
    'x' as platform,
    latest.business,
    latest.account_id,
    latest.metric_name,
    'snapshot' as period,
    registry.measure_name,
    latest.metric_date,
    'utc_day' as metric_day_basis,
    latest.metric_value,
    latest._fetched_at as fetched_at,
    latest._fetched_at,
    latest._file,
    latest._row,
    latest._loaded_at
from latest
left join registry
    on
        latest.metric_name = registry.platform_metric
        and latest.metric_date >= registry.available_from
        and (registry.retired_on is null or latest.metric_date < registry.retired_on)
