-- XING has no API: these figures come from the CSV the owner fills (provenance 'manual').
-- The latest import per (account, period, period_start) wins; when imports disagree about a
-- month's granularity (a month row once, day rows later), the latest import decides. Each
-- non-empty figure becomes one row: an empty cell is unknown and has no row (never 0).
-- Placement:
--   day rows: metric_date = the day, basis 'local_day', measure from the metric registry.
--   month rows: followers (a count at the end of the period) on the month's last day, basis
--   'local_day'; the flows are monthly totals that no single day owns: metric_date = the month's
--   first day, basis 'month', measure_name NULL (so the daily marts show NULL, not a made-up
--   day), period_measure_name = the measure they feed at monthly grain.
with

source as (
    select * from {{ source('xing', 'xing__page_insights') }}
),

csv_rows as (
    select
        business,
        account_id,
        cast(json_extract_string(payload, '$.period_start') as date) as period_start,
        json_extract_string(payload, '$.period') as period,
        cast(json_extract_string(payload, '$.csv_line') as bigint) as csv_line,
        payload,
        _fetched_at,
        _file,
        _row
    from source
    {{ latest_row(['account_id', 'period', 'period_start']) }}
),

month_granularity as (
    select
        account_id,
        date_trunc('month', period_start) as period_month,
        arg_max(period, _fetched_at) as latest_period
    from csv_rows
    group by account_id, date_trunc('month', period_start)
),

kept_rows as (
    select
        csv_rows.*,
        case csv_rows.period
            when 'day' then csv_rows.period_start
            else last_day(csv_rows.period_start)
        end as period_end
    from csv_rows
    inner join month_granularity
        on
            csv_rows.account_id = month_granularity.account_id
            and date_trunc('month', csv_rows.period_start) = month_granularity.period_month
            and csv_rows.period = month_granularity.latest_period
),

registry as (
    select * from {{ ref('metric_registry__xing') }}
    where level = 'account_daily'
),

figures as (
    select
        kept_rows.business,
        kept_rows.account_id,
        kept_rows.period,
        kept_rows.period_start,
        kept_rows.period_end,
        kept_rows.csv_line,
        registry.platform_metric as metric_name,
        case
            when
                registry.available_from <= kept_rows.period_start
                and (registry.retired_on is null or kept_rows.period_start < registry.retired_on)
                then registry.measure_name
        end as period_measure_name,
        -- followers is a count at the end of the period; every other figure is a total over it
        registry.platform_metric = 'followers' or kept_rows.period = 'day' as is_day_value,
        cast(
            json_extract_string(kept_rows.payload, '$.' || registry.platform_metric) as double
        ) as metric_value,
        kept_rows._fetched_at
    from kept_rows
    cross join registry
)

select
    'xing' as platform,
    business,
    account_id,
    metric_name,
    period,
    case when is_day_value then period_measure_name end as measure_name,
    case when metric_name = 'followers' then period_end else period_start end as metric_date,
    case when is_day_value then 'local_day' else 'month' end as metric_day_basis,
    metric_value,
    _fetched_at as fetched_at,
    period_start,
    period_end,
    period_measure_name,
    csv_line,
    'manual' as provenance
from figures
where metric_value is not null
