-- The 'all' rows of kpi_weekly add up its platform rows (macro kpi_all_rows_mismatches).
{{ kpi_all_rows_mismatches('kpi_weekly') }}
