-- Does social media pay off? One row per business, owner outcome, activity platform, activity
-- measure and lag (weeks): the estimated effect with its 95 % interval, raw and
-- Benjamini-Hochberg-adjusted p-values and a verdict in words. Estimated in
-- int_outcome_links__estimated (messbar.analysis.outcome_linkage documents the method).
select
    cast(business as varchar) as business,
    cast(outcome_metric as varchar) as outcome_metric,
    cast(activity_platform as varchar) as activity_platform,
    cast(activity_measure as varchar) as activity_measure,
    cast(lag_weeks as integer) as lag_weeks,
    cast(weeks_used as integer) as weeks_used,
    cast(effect_per_unit as double) as effect_per_unit,
    cast(effect_standardised as double) as effect_standardised,
    cast(ci_low as double) as ci_low,
    cast(ci_high as double) as ci_high,
    cast(p_value as double) as p_value,
    cast(p_value_adjusted as double) as p_value_adjusted,
    cast(verdict as varchar) as verdict,
    cast(method as varchar) as method,  -- noqa: RF04
    cast(provenance as varchar) as provenance
from {{ ref('int_outcome_links__estimated') }}
