-- One row per business, activity platform (a network slug, or 'all') and complete ISO week
-- (Monday) of social media activity: posts published that week and the lifetime views,
-- engagements and clicks of those posts. Post-attributed metrics are used because they reach
-- as far back as the posts themselves on every network (account-level daily insights do not:
-- Instagram keeps 90 days, X has none). A measure is NULL when any post of the week lacks it,
-- and NULL in every week for a platform that never reports it; 0 only when nothing was posted.
-- 'all' sums the platforms that report the measure, for weeks covered by every platform with
-- posts.
with

posts as (
    select
        business,
        platform,
        views,
        engagements,
        clicks,
        cast(date_trunc('week', published_date) as date) as week_start
    from {{ ref('fct_posts') }}
),

reported as (
    select
        business,
        platform,
        bool_or(views is not null) as reports_views,
        bool_or(engagements is not null) as reports_engagements,
        bool_or(clicks is not null) as reports_clicks
    from posts
    group by business, platform
),

coverage as (
    select
        business,
        platform,
        min(account_date) as first_day,
        max(provenance) as provenance
    from {{ ref('fct_account_daily') }}
    group by business, platform
),

business_end as (
    select
        business,
        max(account_date) as last_day
    from {{ ref('fct_account_daily') }}
    group by business
),

calendar as (
    select
        coverage.business,
        coverage.platform,
        coverage.provenance,
        cast(unnest(generate_series(
            cast(date_trunc('week', coverage.first_day + 6) as date),
            cast(date_trunc('week', business_end.last_day + 1) as date) - 7,
            interval 7 day
        )) as date) as week_start
    from coverage
    inner join business_end on coverage.business = business_end.business
    inner join reported
        on
            coverage.business = reported.business
            and coverage.platform = reported.platform
),

posts_weekly as (
    select
        business,
        platform,
        week_start,
        count(*) as posts,
        case when count(views) = count(*) then sum(views) end as views,
        case when count(engagements) = count(*) then sum(engagements) end as engagements,
        case when count(clicks) = count(*) then sum(clicks) end as clicks
    from posts
    group by business, platform, week_start
),

per_platform as (
    select
        calendar.business,
        calendar.platform as activity_platform,
        calendar.week_start,
        calendar.provenance as activity_provenance,
        reported.reports_views,
        reported.reports_engagements,
        reported.reports_clicks,
        coalesce(posts_weekly.posts, 0) as posts,
        case
            when not reported.reports_views then null
            when posts_weekly.posts is null then 0
            else posts_weekly.views
        end as views,
        case
            when not reported.reports_engagements then null
            when posts_weekly.posts is null then 0
            else posts_weekly.engagements
        end as engagements,
        case
            when not reported.reports_clicks then null
            when posts_weekly.posts is null then 0
            else posts_weekly.clicks
        end as clicks
    from calendar
    inner join reported
        on
            calendar.business = reported.business
            and calendar.platform = reported.platform
    left join posts_weekly
        on
            calendar.business = posts_weekly.business
            and calendar.platform = posts_weekly.platform
            and calendar.week_start = posts_weekly.week_start
),

platforms_per_business as (
    select
        business,
        count(*) as platforms
    from reported
    group by business
),

all_platforms as (
    select
        per_platform.business,
        'all' as activity_platform,
        per_platform.week_start,
        case
            when count(distinct per_platform.activity_provenance) = 1
                then min(per_platform.activity_provenance)
            else 'mixed'
        end as activity_provenance,
        sum(per_platform.posts) as posts,
        case
            when
                bool_or(per_platform.reports_views)
                and bool_and(per_platform.views is not null or not per_platform.reports_views)
                then sum(per_platform.views)
        end as views,
        case
            when
                bool_or(per_platform.reports_engagements)
                and bool_and(
                    per_platform.engagements is not null or not per_platform.reports_engagements
                )
                then sum(per_platform.engagements)
        end as engagements,
        case
            when
                bool_or(per_platform.reports_clicks)
                and bool_and(per_platform.clicks is not null or not per_platform.reports_clicks)
                then sum(per_platform.clicks)
        end as clicks
    from per_platform
    inner join platforms_per_business
        on per_platform.business = platforms_per_business.business
    group by per_platform.business, per_platform.week_start, platforms_per_business.platforms
    having count(*) = platforms_per_business.platforms
)

select
    business,
    activity_platform,
    week_start,
    activity_provenance,
    posts,
    views,
    engagements,
    clicks
from per_platform
union all
select
    business,
    activity_platform,
    week_start,
    activity_provenance,
    cast(posts as bigint) as posts,
    cast(views as bigint) as views,
    cast(engagements as bigint) as engagements,
    cast(clicks as bigint) as clicks
from all_platforms
