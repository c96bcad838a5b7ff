-- One row per business, outcome metric and ISO week (Monday): week rows as entered, day rows
-- summed into their week. A week built from days is NULL unless all seven days are known: a
-- partial week would look like a drop.
with

outcomes as (
    select * from {{ ref('stg_inputs__outcomes') }}
),

weeks as (
    select
        business,
        outcome_metric,
        period_start as week_start,
        outcome_value
    from outcomes
    where period = 'week'
),

days as (
    select
        business,
        outcome_metric,
        cast(date_trunc('week', period_start) as date) as week_start,
        case
            when count(distinct period_start) = 7 and count(outcome_value) = 7
                then sum(outcome_value)
        end as outcome_value
    from outcomes
    where period = 'day'
    group by business, outcome_metric, cast(date_trunc('week', period_start) as date)
)

select * from weeks
union all
select * from days
