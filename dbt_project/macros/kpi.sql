{#- KPI formulas of marts.kpi_weekly and marts.kpi_monthly, written once and unit-tested in
    models/marts/kpi/_kpi__models.yml. -#}

{#- The KPI grains: ISO weeks (Monday to Sunday) and calendar months of the business's calendar.
    int_account_periods__aggregated builds every grain listed here. -#}
{% macro kpi_grains() -%}
    {{ return(["week", "month"]) }}
{%- endmacro %}

{#- Lower / upper bound of the Wilson score interval (95 %, z = 1.96) of the rate
    successes / trials. NULL unless 0 <= successes <= trials and trials > 0: a "rate" above 1
    (more engagements than views) is no proportion and gets no interval. -#}
{% macro wilson_bound(successes, trials, sign) -%}
    case
        when {{ trials }} > 0 and {{ successes }} >= 0 and {{ successes }} <= {{ trials }}
            then (
                (
                    cast({{ successes }} as double) / {{ trials }}
                    + 1.96 * 1.96 / (2.0 * {{ trials }})
                    {{ sign }} 1.96 * sqrt(
                        (cast({{ successes }} as double) / {{ trials }})
                        * (1 - cast({{ successes }} as double) / {{ trials }})
                        / {{ trials }}
                        + 1.96 * 1.96 / (4.0 * {{ trials }} * {{ trials }})
                    )
                )
                / (1 + 1.96 * 1.96 / {{ trials }})
            )
    end
{%- endmacro %}

{% macro wilson_low(successes, trials) -%}
    {{ wilson_bound(successes, trials, "-") }}
{%- endmacro %}

{% macro wilson_high(successes, trials) -%}
    {{ wilson_bound(successes, trials, "+") }}
{%- endmacro %}

{#- total cost = hours x hourly rate + ad spend + agency/tool cost (EUR); a missing part counts
    as 0, except hours without a rate: then the labour cost is unknown and so is the total. -#}
{% macro total_cost_eur(hours_spent, hourly_rate_eur, ad_spend_eur, agency_tool_cost_eur) -%}
    case
        when {{ hours_spent }} > 0 and {{ hourly_rate_eur }} is null then null
        else
            coalesce({{ hours_spent }} * {{ hourly_rate_eur }}, 0)
            + coalesce({{ ad_spend_eur }}, 0)
            + coalesce({{ agency_tool_cost_eur }}, 0)
    end
{%- endmacro %}

{#- One provenance for a set of sources: the single value when all agree, else 'mixed'. -#}
{% macro combined_provenance(provenance_list) -%}
    case
        when len(list_distinct({{ provenance_list }})) = 1
            then list_distinct({{ provenance_list }})[1]
        when len(list_distinct({{ provenance_list }})) > 1 then 'mixed'
    end
{%- endmacro %}

{#- The columns of a KPI mart at one grain, computed from int_account_periods__aggregated. -#}
{% macro kpi_period_select(grain) -%}
    {%- if grain not in kpi_grains() -%}
        {{ exceptions.raise_compiler_error(
            "kpi_period_select: unknown grain '" ~ grain ~ "'; known: " ~ (kpi_grains() | join(", "))
        ) }}
    {%- endif -%}
with

periods as (
    select * from {{ ref('int_account_periods__aggregated') }}
    where grain = '{{ grain }}'
)

select
    business,
    platform,
    period_start,
    period_end,
    {%- if grain == 'week' %}
    cast(isoyear(period_start) as integer) as iso_year,
    cast(weekofyear(period_start) as integer) as iso_week,
    {%- endif %}
    -- awareness
    cast(views as bigint) as views,
    cast(viewers as bigint) as viewers,
    cast(followers_end as bigint) as followers_end,
    cast(follower_growth as bigint) as follower_growth,
    {{ safe_ratio('follower_growth', 'followers_start') }} as follower_growth_pct,
    -- acquisition
    cast(clicks as bigint) as clicks,
    {{ safe_ratio('rated_clicks', 'click_rated_views') }} as click_through_rate_by_views,
    {{ wilson_low('rated_clicks', 'click_rated_views') }} as click_through_rate_ci_low,
    {{ wilson_high('rated_clicks', 'click_rated_views') }} as click_through_rate_ci_high,
    enquiries,
    new_customers,
    orders,
    website_sessions,
    -- relationship
    cast(comments_received as bigint) as comments_received,
    cast(comments_replied as bigint) as comments_replied,
    cast(owner_replies as bigint) as owner_replies,
    {{ safe_ratio('comments_replied', 'comments_received') }} as reply_rate,
    {{ wilson_low('comments_replied', 'comments_received') }} as reply_rate_ci_low,
    {{ wilson_high('comments_replied', 'comments_received') }} as reply_rate_ci_high,
    median_minutes_to_first_owner_reply,
    -- engagement
    cast(posts_published as bigint) as posts_published,
    posts_by_type,
    cast(post_views as bigint) as post_views,
    cast(engagements as bigint) as engagements,
    {{ safe_ratio('rated_engagements', 'engagement_rated_views') }} as engagement_rate_by_views,
    {{ wilson_low('rated_engagements', 'engagement_rated_views') }} as engagement_rate_ci_low,
    {{ wilson_high('rated_engagements', 'engagement_rated_views') }} as engagement_rate_ci_high,
    {{ safe_ratio('follower_rated_engagements', 'followers_end') }}
        as engagement_rate_by_followers,
    -- cost
    total_cost_eur,
    shared_cost_eur,
    {{ safe_ratio('total_cost_eur', 'engagements') }} as cost_per_engagement,
    {{ safe_ratio('total_cost_eur', 'clicks') }} as cost_per_click,
    -- only growth is a cost per new follower: a shrinking audience has none
    case
        when follower_growth > 0 then {{ safe_ratio('total_cost_eur', 'follower_growth') }}
    end as cost_per_new_follower,
    {{ safe_ratio('total_cost_eur', 'enquiries') }} as cost_per_enquiry,
    -- honesty
    coalesce(posts_published, 0) < 5
    or coalesce(engagement_rated_views, 0) < 100 as is_small_sample,
    is_partial_period,
    {{ combined_provenance('provenances') }} as provenance,
    missing_inputs,
    affected_by_retired_metric
from periods
{%- endmacro %}

{#- Rows where a KPI mart's 'all' row is not the sum of the business's platform rows for an
    additive column (reach, ratios and medians are not additive); total_cost_eur adds the
    shared costs that belong to no platform. Used by the singular tests in tests/. -#}
{% macro kpi_all_rows_mismatches(mart) -%}
    {%- set additive = [
        "views", "clicks", "engagements", "post_views", "posts_published", "comments_received",
        "comments_replied", "owner_replies"
    ] -%}
with

platform_sums as (
    select
        business,
        period_start,
        {%- for column in additive + ["total_cost_eur"] %}
        sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref(mart) }}
    where platform != 'all'
    group by business, period_start
),

all_rows as (
    select * from {{ ref(mart) }}
    where platform = 'all'
)

select
    coalesce(all_rows.business, platform_sums.business) as business,
    coalesce(all_rows.period_start, platform_sums.period_start) as period_start
from all_rows
full outer join platform_sums
    on
        all_rows.business = platform_sums.business
        and all_rows.period_start = platform_sums.period_start
where
    all_rows.business is null
    or platform_sums.business is null
    {%- for column in additive %}
    or all_rows.{{ column }} is distinct from platform_sums.{{ column }}
    {%- endfor %}
    or all_rows.total_cost_eur is distinct from (
        case
            when platform_sums.total_cost_eur is not null or all_rows.shared_cost_eur is not null
                then
                    coalesce(platform_sums.total_cost_eur, 0)
                    + coalesce(all_rows.shared_cost_eur, 0)
        end
    )
{%- endmacro %}
