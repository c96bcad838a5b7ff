-- Meta stamps a day's value with the NEXT day's end_time at Pacific midnight
-- (2026-03-03T08:00:00+0000 is the value for 2026-03-02), so the day a value covers is
-- (end_time in America/Los_Angeles)::date - 1. Object-valued (breakdown) metrics are dropped.
with

source as (
    select * from {{ source('facebook', 'facebook__page_insights') }}
    {{ loaded_since_last_build() }}
),

metric_values as (
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
    from source
),

typed as (
    select
        business,
        account_id,
        metric_name,
        period,
        cast(json_extract_string(value_json, '$.end_time') as timestamptz) as end_time_at,
        cast(json_extract_string(value_json, '$.value') as double) as metric_value,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from metric_values
    where json_type(value_json, '$.value') in ('BIGINT', 'UBIGINT', 'DOUBLE')
),

dated as (
    select
        *,
        cast(timezone('America/Los_Angeles', end_time_at) as date) - 1 as metric_date
    from typed
),

candidates as (
    {{ with_current_rows('dated', ['account_id', 'metric_name', 'period', 'metric_date']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['account_id', 'metric_name', 'period', 'metric_date']) }}
)

select
    'facebook' as platform,
    business,
    account_id,
    metric_name,
    period,
    -- Facebook's metric names mapped to the conformed measures of int_account_daily__unioned.
    case
        when period = 'day' then
            case metric_name
                when 'page_follows' then 'followers'
                when 'page_media_view' then 'views'
                when 'page_total_media_view_unique' then 'viewers'
                when 'page_post_engagements' then 'engagements'
                when 'page_total_actions' then 'clicks'
                when 'page_views_total' then 'page_views'
                when 'page_daily_follows_unique' then 'new_followers'
            end
    end as measure_name,
    metric_date,
    'platform_day' as metric_day_basis,
    metric_value,
    end_time_at,
    _fetched_at as fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
