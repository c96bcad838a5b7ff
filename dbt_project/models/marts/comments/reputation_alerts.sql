-- Reputation early warning: one row per business and local day on which negative comments or
-- unfollows stand out against the business's own history. Expected count per weekday over the
-- trailing weeks (macro shrunk_weekday_rate), tail probability of the observed count under a
-- negative binomial with the history's dispersion (macro count_upper_tail), a minimum absolute
-- count and history per signal, both signals combined with Fisher's method (macro
-- combined_p_value), severity from the combined probability (macro alert_severity).
with

comments as (
    select * from {{ ref('fct_comments') }}
),

negative_days as (
    select
        business,
        commented_date as alert_date,
        count(*) as negative_comments,
        list(comment_key order by commented_at, comment_key) as comment_keys
    from comments
    where not is_from_owner and sentiment_label = 'negative'
    group by business, commented_date
),

comment_coverage as (
    select
        business,
        min(commented_date) as first_day,
        max(commented_date) as last_day
    from comments
    group by business
),

account_days as (
    select
        daily.business,
        daily.account_date,
        -- followers lost that day: new followers minus the net change where the network reports
        -- new followers, else the net decrease; NULL without a follower change
        case
            when daily.follower_change is null then null
            when reported.new_followers is not null
                then greatest(reported.new_followers - daily.follower_change, 0)
            else greatest(-daily.follower_change, 0)
        end as unfollows
    from {{ ref('fct_account_daily') }} as daily
    inner join {{ ref('dim_accounts') }} as dim_accounts
        on daily.account_key = dim_accounts.account_key
    left join {{ ref('int_account_daily__unioned') }} as reported
        on
            dim_accounts.platform = reported.platform
            and dim_accounts.account_id = reported.account_id
            and daily.account_date = reported.metric_date
),

unfollow_days as (
    select
        business,
        account_date as alert_date,
        sum(unfollows) as unfollows
    from account_days
    where unfollows is not null
    group by business, account_date
),

days_with_data as (
    select
        business,
        first_day as alert_date
    from comment_coverage
    union all
    select
        business,
        last_day as alert_date
    from comment_coverage
    union all
    select
        business,
        alert_date
    from unfollow_days
),

calendar as (
    select
        business,
        cast(
            unnest(generate_series(min(alert_date), max(alert_date), interval 1 day)) as date
        ) as alert_date
    from days_with_data
    where business is not null
    group by business
),

daily as (
    select
        calendar.business,
        calendar.alert_date,
        case
            when
                calendar.alert_date
                between comment_coverage.first_day and comment_coverage.last_day
                then coalesce(negative_days.negative_comments, 0)
        end as negative_comments,
        unfollow_days.unfollows,
        coalesce(negative_days.comment_keys, []) as comment_keys
    from calendar
    left join comment_coverage
        on calendar.business = comment_coverage.business
    left join negative_days
        on
            calendar.business = negative_days.business
            and calendar.alert_date = negative_days.alert_date
    left join unfollow_days
        on
            calendar.business = unfollow_days.business
            and calendar.alert_date = unfollow_days.alert_date
),

{%- set weeks = reputation_setting('baseline_weeks') %}
{%- set days = 7 * weeks %}

with_history as (
    select
        *,
        sum(negative_comments) over same_weekday as negative_weekday_sum,
        count(negative_comments) over same_weekday as negative_weekday_days,
        avg(negative_comments) over all_days as negative_daily_mean,
        var_samp(negative_comments) over all_days as negative_daily_variance,
        count(negative_comments) over all_days as negative_baseline_days,
        sum(unfollows) over same_weekday as unfollows_weekday_sum,
        count(unfollows) over same_weekday as unfollows_weekday_days,
        avg(unfollows) over all_days as unfollows_daily_mean,
        var_samp(unfollows) over all_days as unfollows_daily_variance,
        count(unfollows) over all_days as unfollows_baseline_days
    from daily
    window
        same_weekday as (
            partition by business, isodow(alert_date)
            order by alert_date
            rows between {{ weeks }} preceding and 1 preceding
        ),
        all_days as (
            partition by business
            order by alert_date
            rows between {{ days }} preceding and 1 preceding
        )
),

expected as (
    select
        *,
        {{ shrunk_weekday_rate(
            'coalesce(negative_weekday_sum, 0)', 'negative_weekday_days', 'negative_daily_mean',
            reputation_setting('weekday_prior_days'), reputation_setting('min_daily_rate')
        ) }} as negative_comments_expected,
        {{ dispersion('negative_daily_variance', 'negative_daily_mean') }}
            as negative_comments_dispersion,
        {{ shrunk_weekday_rate(
            'coalesce(unfollows_weekday_sum, 0)', 'unfollows_weekday_days', 'unfollows_daily_mean',
            reputation_setting('weekday_prior_days'), reputation_setting('min_daily_rate')
        ) }} as unfollows_expected,
        {{ dispersion('unfollows_daily_variance', 'unfollows_daily_mean') }}
            as unfollows_dispersion
    from with_history
),

tested as (
    select
        *,
        -- a signal below its minimum count or without enough history does not count (p NULL)
        case
            when
                negative_comments >= {{ reputation_setting('min_negative_comments') }}
                and negative_baseline_days >= {{ reputation_setting('min_baseline_days') }}
                then {{ count_upper_tail(
                    'negative_comments', 'negative_comments_expected',
                    'negative_comments_dispersion'
                ) }}
        end as negative_comments_p_value,
        case
            when
                unfollows >= {{ reputation_setting('min_lost_followers') }}
                and unfollows_baseline_days >= {{ reputation_setting('min_baseline_days') }}
                then {{ count_upper_tail(
                    'unfollows', 'unfollows_expected', 'unfollows_dispersion'
                ) }}
        end as unfollows_p_value
    from expected
),

combined as (
    select
        *,
        case
            when negative_comments_p_value is not null or unfollows_p_value is not null
                then {{ combined_p_value('negative_comments_p_value', 'unfollows_p_value') }}
        end as combined_p_value
    from tested
)

select
    {{ surrogate_key(['business', 'alert_date']) }} as alert_key,
    business,
    alert_date,
    {{ alert_severity('combined_p_value') }} as severity,
    cast(combined_p_value as double) as combined_p_value,
    cast(negative_comments as bigint) as negative_comments,
    cast(negative_comments_expected as double) as negative_comments_expected,
    cast(negative_comments_dispersion as double) as negative_comments_dispersion,
    cast(negative_comments_p_value as double) as negative_comments_p_value,
    cast(unfollows as bigint) as unfollows,
    cast(unfollows_expected as double) as unfollows_expected,
    cast(unfollows_dispersion as double) as unfollows_dispersion,
    cast(unfollows_p_value as double) as unfollows_p_value,
    cast(greatest(negative_baseline_days, unfollows_baseline_days) as bigint) as baseline_days,
    cast(
        case when negative_comments_p_value is not null then comment_keys else [] end
        as varchar[]
    ) as comment_keys
from combined
where combined_p_value < {{ reputation_setting('p_info') }}
