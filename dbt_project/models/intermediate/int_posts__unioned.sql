-- Conformed post list of every enabled network with its latest lifetime metrics pivoted from the
-- conformed measure names that each network's staging assigns (views, viewers, clicks,
-- reactions, comments, shares, saves).
with

posts as (
    {{ union_enabled_networks('posts') }}
),

post_insights as (
    {{ union_enabled_networks('post_insights') }}
),

insights_pivoted as (
    select
        platform,
        post_id,
        max(metric_value) filter (where measure_name = 'views') as views,
        max(metric_value) filter (where measure_name = 'viewers') as viewers,
        max(metric_value) filter (where measure_name = 'clicks') as clicks,
        max(metric_value) filter (where measure_name = 'reactions') as reactions,
        max(metric_value) filter (where measure_name = 'comments') as comments,
        max(metric_value) filter (where measure_name = 'shares') as shares,
        max(metric_value) filter (where measure_name = 'saves') as saves,
        max(fetched_at) as insights_fetched_at
    from post_insights
    where measure_name is not null
    group by platform, post_id
)

select
    posts.platform,
    posts.business,
    posts.account_id,
    posts.post_id,
    posts.published_at,
    posts.updated_at,
    posts.message,
    posts.permalink_url,
    posts.post_type,
    cast(insights_pivoted.views as bigint) as views,
    cast(insights_pivoted.viewers as bigint) as viewers,
    cast(insights_pivoted.clicks as bigint) as clicks,
    -- counters on the post object win; networks that report them only as insights fill them
    coalesce(posts.reactions, cast(insights_pivoted.reactions as bigint)) as reactions,
    coalesce(posts.comments, cast(insights_pivoted.comments as bigint)) as comments,
    coalesce(posts.shares, cast(insights_pivoted.shares as bigint)) as shares,
    cast(insights_pivoted.saves as bigint) as saves,
    posts.fetched_at as post_fetched_at,
    insights_pivoted.insights_fetched_at,
    greatest(posts.fetched_at, insights_pivoted.insights_fetched_at) as metrics_fetched_at
from posts
left join insights_pivoted
    on
        posts.platform = insights_pivoted.platform
        and posts.post_id = insights_pivoted.post_id
