"""Every owner outcome against every weekly activity series at lags 0-4 weeks.

A dbt Python model because the statistics (Prais-Winsten distributed-lag regression,
Benjamini-Hochberg) live in the tested module messbar.analysis; this node only feeds it the two
weekly intermediates. marts.outcome_linkage types and publishes the result under a contract.
"""

from messbar.analysis.outcome_table import link_table


def model(dbt, session):
    activity = dbt.ref("int_activity_weekly__aggregated").df()
    outcomes = dbt.ref("int_outcomes_weekly__aggregated").df()
    return link_table(activity, outcomes.rename(columns={"outcome_value": "value"}))
