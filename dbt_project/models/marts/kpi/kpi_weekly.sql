-- One row per business, platform (and 'all') and ISO week (Monday to Sunday); formulas in macro
-- kpi_period_select, building blocks in int_account_periods__aggregated.
{{ kpi_period_select('week') }}
