-- The KPI building blocks once for every grain of kpi_grains() (ISO week from Monday, calendar
-- month): one row per grain, business, platform and period, plus platform = 'all' rows that add
-- up the business's platform rows (sums only; reach, medians and type counts are recomputed or
-- left NULL). The marts kpi_weekly / kpi_monthly only apply formulas (macro kpi_period_select).
-- Days: posts and comments by the business's local day; platform metrics by the day the
-- platform reports them for (fct_account_daily.metric_day_basis).
with

grains as (
    select unnest({{ kpi_grains() }}) as grain
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

registry as (
    select * from {{ ref('int_metric_registries__unioned') }}
),

page_insights as (
    {{ union_enabled_networks('page_insights') }}
),

-- the owner's inputs (owner CSVs, provenance 'manual'); empty relations when none were given
costs_input as (
    select
        business,
        platform,
        cost_month,
        provenance,
        cast(hours_spent as double) as hours_spent,
        cast(hourly_rate_eur as double) as hourly_rate_eur,
        cast(ad_spend_eur as double) as ad_spend_eur,
        cast(agency_tool_cost_eur as double) as agency_tool_cost_eur
    from {{ ref('stg_inputs__costs') }}
),

outcomes_input as (
    select * from {{ ref('stg_inputs__outcomes') }}
),

-- platform-reported daily values, one row per account, day and grain
account_days as (
    select
        grains.grain,
        cast(date_trunc(grains.grain, daily.account_date) as date) as period_start,
        daily.business,
        daily.platform,
        daily.account_key,
        daily.account_date,
        daily.views,
        daily.viewers,
        daily.clicks,
        daily.followers
    from {{ ref('fct_account_daily') }} as daily
    cross join grains
),

-- totals of a whole calendar month that no single day owns (metric_day_basis 'month', e.g.
-- owner CSV month rows): they count at month grain only, mapped to measures by the registry
month_totals as (
    select
        'month' as grain,
        cast(date_trunc('month', page_insights.metric_date) as date) as period_start,
        accounts.business,
        accounts.platform,
        accounts.account_key,
        cast(
            sum(page_insights.metric_value) filter (where registry.measure_name = 'views')
            as bigint
        ) as views,
        cast(
            sum(page_insights.metric_value) filter (where registry.measure_name = 'viewers')
            as bigint
        ) as viewers,
        cast(
            sum(page_insights.metric_value) filter (where registry.measure_name = 'clicks')
            as bigint
        ) as clicks
    from page_insights
    inner join accounts
        on
            page_insights.platform = accounts.platform
            and page_insights.account_id = accounts.account_id
    inner join registry
        on
            page_insights.platform = registry.platform
            and page_insights.metric_name = registry.platform_metric
            and registry.level = 'account_daily'
            and page_insights.metric_date >= registry.available_from
            and (registry.retired_on is null or page_insights.metric_date < registry.retired_on)
    where page_insights.metric_day_basis = 'month'
    group by all
),

account_flows as (
    select
        grain,
        period_start,
        business,
        platform,
        account_key,
        sum(views) as views,
        sum(viewers) as viewers,
        sum(clicks) as clicks,
        sum(clicks) filter (where views is not null and clicks is not null) as rated_clicks,
        sum(views) filter (where views is not null and clicks is not null) as click_rated_views,
        arg_max(followers, account_date) filter (where followers is not null) as followers_last
    from account_days
    group by all
    union all
    select
        grain,
        period_start,
        business,
        platform,
        account_key,
        views,
        viewers,
        clicks,
        case when views is not null then clicks end as rated_clicks,
        case when clicks is not null then views end as click_rated_views,
        null as followers_last
    from month_totals
),

account_periods as (
    select
        grain,
        period_start,
        business,
        platform,
        account_key,
        sum(views) as views,
        sum(viewers) as viewers,
        sum(clicks) as clicks,
        sum(rated_clicks) as rated_clicks,
        sum(click_rated_views) as click_rated_views,
        max(followers_last) as followers_last
    from account_flows
    group by all
),

account_followers as (
    select
        *,
        last_value(followers_last ignore nulls) over (
            partition by grain, account_key
            order by period_start
            rows between unbounded preceding and 1 preceding
        ) as followers_start
    from account_periods
),

platform_flows as (
    select
        grain,
        period_start,
        business,
        platform,
        sum(views) as views,
        sum(viewers) as viewers,
        sum(clicks) as clicks,
        sum(rated_clicks) as rated_clicks,
        sum(click_rated_views) as click_rated_views,
        sum(coalesce(followers_last, followers_start)) as followers_end,
        -- growth and start only when known for every account that has followers
        case
            when count(coalesce(followers_last, followers_start)) = count(followers_start)
                then sum(followers_start)
        end as followers_start,
        case
            when
                count(coalesce(followers_last, followers_start))
                = count(followers_last - followers_start)
                then sum(followers_last - followers_start)
        end as follower_growth
    from account_followers
    group by all
),

posts as (
    select
        grains.grain,
        cast(date_trunc(grains.grain, fct_posts.published_date) as date) as period_start,
        fct_posts.business,
        fct_posts.platform,
        coalesce(fct_posts.post_type, 'unknown') as post_type,
        fct_posts.views,
        fct_posts.engagements
    from {{ ref('fct_posts') }} as fct_posts
    cross join grains
),

platform_posts as (
    select
        grain,
        period_start,
        business,
        platform,
        count(*) as posts_published,
        sum(views) as post_views,
        sum(engagements) as engagements,
        sum(engagements) filter (
            where views is not null and engagements is not null
        ) as rated_engagements,
        sum(views) filter (
            where views is not null and engagements is not null
        ) as engagement_rated_views
    from posts
    group by all
),

post_type_counts as (
    select
        grain,
        period_start,
        business,
        platform,
        post_type,
        count(*) as posts
    from posts
    group by all
    union all
    select
        grain,
        period_start,
        business,
        'all' as platform,
        post_type,
        count(*) as posts
    from posts
    group by all
),

posts_by_type as (
    select
        grain,
        period_start,
        business,
        platform,
        map_from_entries(
            list(struct_pack(k := post_type, v := posts) order by post_type)
        ) as posts_by_type
    from post_type_counts
    group by all
),

-- reply facts as marts.fct_comments defines them (owner_replied, minutes_to_owner_reply)
comment_facts as (
    select
        grains.grain,
        cast(date_trunc(grains.grain, fct_comments.commented_date) as date) as period_start,
        fct_comments.business,
        fct_comments.platform,
        coalesce(fct_comments.is_from_owner, false) as is_from_owner,
        fct_comments.is_reply,
        coalesce(fct_comments.owner_replied, false) as has_owner_reply,
        fct_comments.minutes_to_owner_reply as minutes_to_first_owner_reply
    from {{ ref('fct_comments') }} as fct_comments
    cross join grains
),

-- noqa: disable=LT02
comment_stats as (
    {%- for level in ["platform", "all"] %}
        select
            grain,
            period_start,
            business,
            {{ "platform" if level == "platform" else "'all' as platform" }},
            count(*) filter (where not is_from_owner) as comments_received,
            count(*) filter (where not is_from_owner and has_owner_reply) as comments_replied,
            count(*) filter (where is_from_owner and is_reply) as owner_replies,
            median(minutes_to_first_owner_reply) filter (
                where not is_from_owner and has_owner_reply
            ) as median_minutes_to_first_owner_reply
        from comment_facts
        group by all
    {%- if not loop.last %}
        union all
    {%- endif %}
    {%- endfor %}
),
-- noqa: enable=LT02

-- costs are monthly: they reach the month grain only; platform 'all' in the input = costs of
-- the business that belong to no single platform (shared_cost_eur of the 'all' row)
costs as (
    select
        'month' as grain,
        cast(date_trunc('month', cost_month) as date) as period_start,
        business,
        platform,
        case
            when count(*) = count({{ total_cost_eur(
                'hours_spent', 'hourly_rate_eur', 'ad_spend_eur', 'agency_tool_cost_eur'
            ) }})
                then sum({{ total_cost_eur(
                    'hours_spent', 'hourly_rate_eur', 'ad_spend_eur', 'agency_tool_cost_eur'
                ) }})
        end as total_cost_eur,
        list_distinct(list(provenance)) as provenances
    from costs_input
    group by all
),

-- outcomes belong to the business (no platform): day rows go to their week and month; week
-- rows to their week and to the month of their Thursday (the ISO rule for weeks and months)
outcomes as (
    select
        grains.grain,
        cast(
            case
                when grains.grain = 'month' and outcomes_input.period = 'week'
                    then date_trunc('month', outcomes_input.period_start + 3)
                else date_trunc(grains.grain, outcomes_input.period_start)
            end as date
        ) as period_start,
        outcomes_input.business,
        cast(
            sum(outcomes_input.outcome_value) filter (
                where outcomes_input.outcome_metric = 'enquiries'
            )
            as bigint
        ) as enquiries,
        cast(
            sum(outcomes_input.outcome_value) filter (
                where outcomes_input.outcome_metric = 'new_customers'
            )
            as bigint
        ) as new_customers,
        cast(
            sum(outcomes_input.outcome_value) filter (
                where outcomes_input.outcome_metric = 'orders'
            )
            as bigint
        ) as orders,
        cast(
            sum(outcomes_input.outcome_value) filter (
                where outcomes_input.outcome_metric = 'website_sessions'
            )
            as bigint
        ) as website_sessions,
        list_distinct(list(outcomes_input.provenance)) as provenances
    from outcomes_input
    cross join grains
    group by all
),

platform_keys as (
    select
        grain,
        period_start,
        business,
        platform
    from platform_flows
    union
    select
        grain,
        period_start,
        business,
        platform
    from platform_posts
    union
    select
        grain,
        period_start,
        business,
        platform
    from comment_stats
    where platform != 'all'
    union
    select
        grain,
        period_start,
        business,
        platform
    from costs
    where platform != 'all'
),

platform_rows as (
    select
        platform_keys.grain,
        platform_keys.business,
        platform_keys.platform,
        platform_keys.period_start,
        cast(
            case platform_keys.grain
                when 'week' then platform_keys.period_start + 6
                else last_day(platform_keys.period_start)
            end as date
        ) as period_end,
        platform_flows.views,
        platform_flows.viewers,
        platform_flows.followers_end,
        platform_flows.followers_start,
        platform_flows.follower_growth,
        platform_flows.clicks,
        platform_flows.rated_clicks,
        platform_flows.click_rated_views,
        comment_stats.comments_received,
        comment_stats.comments_replied,
        comment_stats.owner_replies,
        comment_stats.median_minutes_to_first_owner_reply,
        coalesce(platform_posts.posts_published, 0) as posts_published,
        posts_by_type.posts_by_type,
        platform_posts.post_views,
        platform_posts.engagements,
        case
            when platform_flows.followers_end is not null then platform_posts.engagements
        end as follower_rated_engagements,
        platform_posts.rated_engagements,
        platform_posts.engagement_rated_views,
        costs.total_cost_eur,
        list_sort(list_distinct(
            [{{ provenance('platform_keys.platform') }}] || coalesce(costs.provenances, [])
        )) as provenances,
        -- list_distinct drops the NULLs of the inputs that are there
        list_sort(list_distinct([
            case when platform_flows.views is null then 'views' end,
            case when platform_flows.viewers is null then 'viewers' end,
            case when platform_flows.clicks is null then 'clicks' end,
            case when platform_flows.followers_end is null then 'followers' end,
            case
                when platform_posts.posts_published > 0 and platform_posts.post_views is null
                    then 'post_views'
            end,
            case when comment_stats.comments_received is null then 'comments' end,
            case when costs.total_cost_eur is null then 'costs' end
        ])) as missing_inputs
    from platform_keys
    left join platform_flows
        on
            platform_keys.grain = platform_flows.grain
            and platform_keys.period_start = platform_flows.period_start
            and platform_keys.business = platform_flows.business
            and platform_keys.platform = platform_flows.platform
    left join platform_posts
        on
            platform_keys.grain = platform_posts.grain
            and platform_keys.period_start = platform_posts.period_start
            and platform_keys.business = platform_posts.business
            and platform_keys.platform = platform_posts.platform
    left join posts_by_type
        on
            platform_keys.grain = posts_by_type.grain
            and platform_keys.period_start = posts_by_type.period_start
            and platform_keys.business = posts_by_type.business
            and platform_keys.platform = posts_by_type.platform
    left join comment_stats
        on
            platform_keys.grain = comment_stats.grain
            and platform_keys.period_start = comment_stats.period_start
            and platform_keys.business = comment_stats.business
            and platform_keys.platform = comment_stats.platform
    left join costs
        on
            platform_keys.grain = costs.grain
            and platform_keys.period_start = costs.period_start
            and platform_keys.business = costs.business
            and platform_keys.platform = costs.platform
),

platform_rows_dated as (
    select
        *,
        exists(
            select 1
            from registry
            where
                registry.platform = platform_rows.platform
                and registry.measure_name is not null
                and registry.retired_on is not null
                and registry.available_from <= platform_rows.period_end
                and registry.retired_on > platform_rows.period_start
        ) as affected_by_retired_metric
    from platform_rows
),

platform_sums as (
    select
        grain,
        business,
        period_start,
        max(period_end) as period_end,
        sum(views) as views,
        sum(followers_end) as followers_end,
        case when count(followers_end) = count(followers_start) then sum(followers_start) end
            as followers_start,
        case when count(followers_end) = count(follower_growth) then sum(follower_growth) end
            as follower_growth,
        sum(clicks) as clicks,
        sum(rated_clicks) as rated_clicks,
        sum(click_rated_views) as click_rated_views,
        sum(comments_received) as comments_received,
        sum(comments_replied) as comments_replied,
        sum(owner_replies) as owner_replies,
        sum(posts_published) as posts_published,
        sum(post_views) as post_views,
        sum(engagements) as engagements,
        sum(follower_rated_engagements) as follower_rated_engagements,
        sum(rated_engagements) as rated_engagements,
        sum(engagement_rated_views) as engagement_rated_views,
        sum(total_cost_eur) as platform_cost_eur,
        count(total_cost_eur) as platforms_with_costs,
        list_distinct(flatten(list(provenances))) as provenances,
        bool_or(affected_by_retired_metric) as affected_by_retired_metric
    from platform_rows_dated
    group by grain, business, period_start
),

last_data_days as (
    select
        business,
        max(account_date) as last_data_date
    from {{ ref('fct_account_daily') }}
    group by business
),

platform_missing as (
    select
        grain,
        business,
        period_start,
        list(platform || ':' || missing_input order by platform, missing_input)
            as platform_missing_inputs
    from (
        select
            grain,
            business,
            period_start,
            platform,
            unnest(missing_inputs) as missing_input
        from platform_rows_dated
    ) as missing_items
    group by all
),

all_rows as (
    select
        platform_sums.grain,
        platform_sums.business,
        'all' as platform,
        platform_sums.period_start,
        platform_sums.period_end,
        platform_sums.views,
        -- reach cannot be added across platforms: one person may follow on several networks
        cast(null as bigint) as viewers,
        platform_sums.followers_end,
        platform_sums.followers_start,
        platform_sums.follower_growth,
        platform_sums.clicks,
        platform_sums.rated_clicks,
        platform_sums.click_rated_views,
        platform_sums.comments_received,
        platform_sums.comments_replied,
        platform_sums.owner_replies,
        comment_stats.median_minutes_to_first_owner_reply,
        platform_sums.posts_published,
        posts_by_type.posts_by_type,
        platform_sums.post_views,
        platform_sums.engagements,
        platform_sums.follower_rated_engagements,
        platform_sums.rated_engagements,
        platform_sums.engagement_rated_views,
        -- the platforms' known costs plus the shared costs; platforms without known costs are
        -- listed in missing_inputs ('<platform>:costs')
        case
            when platform_sums.platforms_with_costs > 0 or shared_costs.total_cost_eur is not null
                then
                    coalesce(platform_sums.platform_cost_eur, 0)
                    + coalesce(shared_costs.total_cost_eur, 0)
        end as total_cost_eur,
        shared_costs.total_cost_eur as shared_cost_eur,
        outcomes.enquiries,
        outcomes.new_customers,
        outcomes.orders,
        outcomes.website_sessions,
        list_sort(list_distinct(
            platform_sums.provenances
            || coalesce(shared_costs.provenances, [])
            || coalesce(outcomes.provenances, [])
        )) as provenances,
        list_sort(list_distinct([
            case
                when
                    platform_sums.platforms_with_costs = 0
                    and shared_costs.total_cost_eur is null
                    then 'costs'
            end,
            case when outcomes.business is null then 'outcomes' end
        ])) || coalesce(platform_missing.platform_missing_inputs, []) as missing_inputs,
        platform_sums.affected_by_retired_metric
    from platform_sums
    left join comment_stats
        on
            platform_sums.grain = comment_stats.grain
            and platform_sums.period_start = comment_stats.period_start
            and platform_sums.business = comment_stats.business
            and comment_stats.platform = 'all'
    left join posts_by_type
        on
            platform_sums.grain = posts_by_type.grain
            and platform_sums.period_start = posts_by_type.period_start
            and platform_sums.business = posts_by_type.business
            and posts_by_type.platform = 'all'
    left join costs as shared_costs
        on
            platform_sums.grain = shared_costs.grain
            and platform_sums.period_start = shared_costs.period_start
            and platform_sums.business = shared_costs.business
            and shared_costs.platform = 'all'
    left join outcomes
        on
            platform_sums.grain = outcomes.grain
            and platform_sums.period_start = outcomes.period_start
            and platform_sums.business = outcomes.business
    left join platform_missing
        on
            platform_sums.grain = platform_missing.grain
            and platform_sums.period_start = platform_missing.period_start
            and platform_sums.business = platform_missing.business
),

period_rows as (
    select
        grain,
        business,
        platform,
        period_start,
        period_end,
        views,
        viewers,
        followers_end,
        followers_start,
        follower_growth,
        clicks,
        rated_clicks,
        click_rated_views,
        comments_received,
        comments_replied,
        owner_replies,
        median_minutes_to_first_owner_reply,
        posts_published,
        posts_by_type,
        post_views,
        engagements,
        follower_rated_engagements,
        rated_engagements,
        engagement_rated_views,
        total_cost_eur,
        cast(null as double) as shared_cost_eur,
        cast(null as bigint) as enquiries,
        cast(null as bigint) as new_customers,
        cast(null as bigint) as orders,
        cast(null as bigint) as website_sessions,
        provenances,
        missing_inputs,
        affected_by_retired_metric
    from platform_rows_dated
    union all by name
    select * from all_rows
)

select
    period_rows.*,
    -- the business's data ends before the period does (the current week or month)
    coalesce(period_rows.period_end > last_data_days.last_data_date, false) as is_partial_period
from period_rows
left join last_data_days
    on period_rows.business = last_data_days.business
