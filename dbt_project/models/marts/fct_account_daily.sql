-- One row per account and calendar day, dense from the account's first to its last day with
-- data (platform metrics or a published post). Platform metrics sit on the platform's own day
-- (see metric_day_basis); posts_published counts posts by the business's local day.
with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

daily_metrics as (
    select
        accounts.account_key,
        daily.metric_date as account_date,
        daily.followers,
        daily.views,
        daily.viewers,
        daily.engagements as platform_engagements,
        daily.clicks,
        daily.metric_day_basis
    from {{ ref('int_account_daily__unioned') }} as daily
    inner join accounts
        on
            daily.platform = accounts.platform
            and daily.account_id = accounts.account_id
),

posts_per_day as (
    select
        account_key,
        published_date as account_date,
        count(*) as posts_published
    from {{ ref('fct_posts') }}
    group by account_key, published_date
),

days_with_data as (
    select
        account_key,
        account_date
    from daily_metrics
    union
    select
        account_key,
        account_date
    from posts_per_day
),

calendar as (
    select
        account_key,
        cast(
            unnest(generate_series(min(account_date), max(account_date), interval 1 day)) as date
        ) as account_date
    from days_with_data
    group by account_key
)

select
    calendar.account_key,
    accounts.business,
    accounts.platform,
    calendar.account_date,
    daily_metrics.followers,
    daily_metrics.followers - lag(daily_metrics.followers) over (
        partition by calendar.account_key
        order by calendar.account_date
    ) as follower_change,
    daily_metrics.views,
    daily_metrics.viewers,
    daily_metrics.platform_engagements,
    daily_metrics.clicks,
    coalesce(posts_per_day.posts_published, 0) as posts_published,
    coalesce(
        daily_metrics.metric_day_basis,
        max(daily_metrics.metric_day_basis) over (partition by calendar.account_key)
    ) as metric_day_basis,
    accounts.provenance
from calendar
inner join accounts
    on calendar.account_key = accounts.account_key
left join daily_metrics
    on
        calendar.account_key = daily_metrics.account_key
        and calendar.account_date = daily_metrics.account_date
left join posts_per_day
    on
        calendar.account_key = posts_per_day.account_key
        and calendar.account_date = posts_per_day.account_date
