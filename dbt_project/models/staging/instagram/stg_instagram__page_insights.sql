-- Instagram account metrics, long per (account, metric, period, Meta day), from three shapes:
--   time_series objects (reach, follower_count): values[{value, end_time}], where end_time is
--     Pacific midnight AFTER the day, so the day is (end_time in America/Los_Angeles)::date - 1;
--   total_value objects (views, total_interactions, ...): one Meta day per request, the day is
--     the `_requested.since` the extractor stored (Graph returns no date for them);
--   the account snapshot's followers_count (no daily follower series exists): placed on the
--     Pacific day the snapshot was taken, the latest snapshot of that day wins.
-- An empty values list or data set yields no row (no data), never a 0.
with

insights as (
    select * from {{ source('instagram', 'instagram__account_insights') }}
    {{ loaded_since_last_build() }}
),

accounts as (
    select * from {{ source('instagram', 'instagram__account') }}
    {{ loaded_since_last_build() }}
),

registry as (
    select * from {{ ref('metric_registry__instagram') }}
    where level = 'account_daily'
),

series_values as (
    select
        business,
        account_id,
        json_extract_string(payload, '$.name') as metric_name,
        json_extract_string(payload, '$.period') as period,
        unnest(json_extract(payload, '$.values[*]')) as value_json,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from insights
    where json_extract(payload, '$.total_value') is null
),

series_typed as (
    select
        business,
        account_id,
        metric_name,
        period,
        'time_series' as metric_type,
        cast(
            timezone(
                'America/Los_Angeles',
                cast(json_extract_string(value_json, '$.end_time') as timestamptz)
            ) as date
        ) - 1 as metric_date,
        cast(json_extract_string(value_json, '$.value') as double) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from series_values
    where json_type(value_json, '$.value') in ('BIGINT', 'UBIGINT', 'DOUBLE')
),

totals_typed as (
    select
        business,
        account_id,
        json_extract_string(payload, '$.name') as metric_name,
        json_extract_string(payload, '$.period') as period,
        'total_value' as metric_type,
        cast(json_extract_string(payload, '$._requested.since') as date) as metric_date,
        cast(json_extract_string(payload, '$.total_value.value') as double) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from insights
    where
        json_type(payload, '$.total_value.value') in ('BIGINT', 'UBIGINT', 'DOUBLE')
        and json_extract_string(payload, '$._requested.since') is not null
        and json_extract_string(payload, '$._requested.until')
        = cast(
            cast(json_extract_string(payload, '$._requested.since') as date) + 1 as varchar
        )
),

snapshots_typed as (
    select
        business,
        account_id,
        'followers_count' as metric_name,
        'snapshot' as period,
        'snapshot' as metric_type,
        cast(timezone('America/Los_Angeles', _fetched_at) as date) as metric_date,
        cast(json_extract_string(payload, '$.followers_count') as double) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from accounts
    where json_type(payload, '$.followers_count') in ('BIGINT', 'UBIGINT', 'DOUBLE')
),

unioned as (
    select * from series_typed
    union all
    select * from totals_typed
    union all
    select * from snapshots_typed
),

candidates as (
    {{ with_current_rows('unioned', ['account_id', 'metric_name', 'period', 'metric_date']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['account_id', 'metric_name', 'period', 'metric_date']) }}
)

select
    'instagram' as platform,
    latest.business,
    latest.account_id,
    latest.metric_name,
    latest.period,
    latest.metric_type,
    -- the registry maps a metric to a measure only while it was in service on that day
    registry.measure_name,
    latest.metric_date,
    'platform_day' as metric_day_basis,
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
        and latest.period in ('day', 'snapshot')
        and latest.metric_date >= registry.available_from
        and (registry.retired_on is null or latest.metric_date < registry.retired_on)
