{#- Drops scratch tables that builds before the warehouse was attached (profiles.yml) left in
    the warehouse's `main` schema: the increment of an incremental Python model, one table
    `<model>__dbt_tmp<timestamp>` per night. Builds now make them in the in-memory catalog,
    which vanishes with the process; this clears what older builds left, then finds nothing.
    Run at the end of every build (dbt_project.yml, on-run-end). -#}
{% macro drop_leftover_scratch_tables() %}
    {%- if execute -%}
        {%- set found = run_query(
            "select table_name from duckdb_tables() where database_name = '"
            ~ target.database ~ "' and schema_name = 'main' "
            ~ "and contains(table_name, '__dbt_tmp')"
        ) -%}
        {%- for row in found.rows -%}
            {%- do run_query(
                'drop table if exists "' ~ target.database ~ '"."main"."' ~ row[0] ~ '"'
            ) -%}
            {{- log("dropped the leftover scratch table main." ~ row[0], info=True) -}}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
