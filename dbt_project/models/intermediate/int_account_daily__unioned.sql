-- Conformed daily account metrics of every enabled network: one row per account and metric day,
-- pivoted from the conformed measure names that each network's staging assigns.
with

page_insights as (
    {{ union_enabled_networks('page_insights') }}
)

select
    platform,
    account_id,
    metric_date,
    max(business) as business,
    max(metric_day_basis) as metric_day_basis,
    cast(max(metric_value) filter (where measure_name = 'followers') as bigint) as followers,
    cast(max(metric_value) filter (where measure_name = 'views') as bigint) as views,
    cast(max(metric_value) filter (where measure_name = 'viewers') as bigint) as viewers,
    cast(
        max(metric_value) filter (where measure_name = 'engagements') as bigint
    ) as engagements,
    cast(max(metric_value) filter (where measure_name = 'clicks') as bigint) as clicks,
    cast(max(metric_value) filter (where measure_name = 'page_views') as bigint) as page_views,
    cast(
        max(metric_value) filter (where measure_name = 'new_followers') as bigint
    ) as new_followers,
    max(fetched_at) as fetched_at
from page_insights
where measure_name is not null
group by platform, account_id, metric_date
