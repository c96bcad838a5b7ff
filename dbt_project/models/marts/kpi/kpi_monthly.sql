-- One row per business, platform (and 'all') and calendar month; formulas in macro
-- kpi_period_select, building blocks in int_account_periods__aggregated.
{{ kpi_period_select('month') }}
