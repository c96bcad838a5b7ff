-- The 'all' rows of kpi_monthly add up its platform rows (macro kpi_all_rows_mismatches).
{{ kpi_all_rows_mismatches('kpi_monthly') }}
