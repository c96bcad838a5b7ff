-- LinkedIn account metrics in the conformed long shape, one row per organization, metric and UTC
-- day (metric_day_basis 'utc_day'): the daily follower gains and page share statistics, plus the
-- networkSizes follower total placed on the UTC day it was fetched (LinkedIn has no daily total
-- series; the latest fetch of a day wins). Platform metrics map to conformed measures through the
-- metric registry seed; a metric the API did not return is absent, never 0.
with

snapshots as (
    select
        platform,
        business,
        account_id,
        followers,
        fetched_at,
        cast(timezone('UTC', fetched_at) as date) as metric_date
    from {{ ref('stg_linkedin__pages') }}
    where followers is not null
    qualify row_number() over (
        partition by account_id, metric_date
        order by fetched_at desc
    ) = 1
),

followers as (
    select
        platform,
        business,
        account_id,
        'firstDegreeSize' as metric_name,
        metric_date,
        cast(followers as double) as metric_value,
        fetched_at
    from snapshots
),

gains as (
    select
        gains.platform,
        gains.business,
        gains.account_id,
        metrics.metric_name,
        gains.metric_date,
        cast(
            case metrics.metric_name
                when 'followerGain' then gains.follower_gain
                when 'organicFollowerGain' then gains.organic_follower_gain
                when 'paidFollowerGain' then gains.paid_follower_gain
            end as double
        ) as metric_value,
        gains.fetched_at
    from {{ ref('stg_linkedin__follower_statistics') }} as gains
    cross join (
        values ('followerGain'), ('organicFollowerGain'), ('paidFollowerGain')
    ) as metrics (metric_name)
),

shares as (
    select
        shares.platform,
        shares.business,
        shares.account_id,
        metrics.metric_name,
        shares.metric_date,
        case metrics.metric_name
            when 'impressionCount' then cast(shares.impression_count as double)
            when 'uniqueImpressionsCount' then cast(shares.unique_impressions_count as double)
            when 'clickCount' then cast(shares.click_count as double)
            when 'likeCount' then cast(shares.like_count as double)
            when 'commentCount' then cast(shares.comment_count as double)
            when 'shareCount' then cast(shares.share_count as double)
            when 'engagement' then shares.engagement
            when 'engagementCount' then cast(shares.engagement_count as double)
        end as metric_value,
        shares.fetched_at
    from {{ ref('stg_linkedin__share_statistics') }} as shares
    cross join (
        values
        ('impressionCount'),
        ('uniqueImpressionsCount'),
        ('clickCount'),
        ('likeCount'),
        ('commentCount'),
        ('shareCount'),
        ('engagement'),
        ('engagementCount')
    ) as metrics (metric_name)
),

metric_rows as (
    select * from followers
    union all
    select * from gains
    union all
    select * from shares
),

registry as (
    select * from {{ ref('metric_registry__linkedin') }}
    where level = 'account_daily'
)

select
    metric_rows.platform,
    metric_rows.business,
    metric_rows.account_id,
    metric_rows.metric_name,
    'day' as period,
    registry.measure_name,
    metric_rows.metric_date,
    'utc_day' as metric_day_basis,
    metric_rows.metric_value,
    metric_rows.fetched_at
from metric_rows
left join registry
    on
        metric_rows.metric_name = registry.platform_metric
        and metric_rows.metric_date >= registry.available_from
        and (registry.retired_on is null or metric_rows.metric_date < registry.retired_on)
where metric_rows.metric_value is not null
