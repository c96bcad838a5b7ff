{#- Incremental staging (see README "Incremental runs"). A staging table keeps the latest fetch
    per natural key; a nightly run parses only the raw rows loaded since the table was last
    built, and re-decides the winner of each key it touches among those rows and the row the
    table already holds. The result equals a full rebuild (tests/dbt/test_incremental_equals_full.py),
    also when a file arrives late with an older fetch time. -#}

{#- Raw rows loaded after the newest row this model already holds (the loader stamps every row
    of one load with the same _loaded_at). On a full build: every row. -#}
{% macro loaded_since_last_build() -%}
    {%- if incremental_build() %}
    where _loaded_at > (
        select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ this }}
    )
    {%- endif %}
{%- endmacro %}

{#- The rows of the CTE `batch` plus, on an incremental run, the rows this model holds for the
    same natural keys, so that latest_row can pick the winner among both. `this` carries the
    tie-breakers (_fetched_at, _file, _row) and _loaded_at for that reason. -#}
{% macro with_current_rows(batch, keys) -%}
    select * from {{ batch }}
    {%- if incremental_build() %}
    union all by name
    select current_rows.* from {{ this }} as current_rows
    where exists (
        select 1 from {{ batch }} as batch_rows
        where
            {%- for key in keys %}
            batch_rows.{{ key }} = current_rows.{{ key }}{{ " and" if not loop.last }}
            {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{#- is_incremental(), and false in unit tests (they have no `this` to read from). -#}
{% macro incremental_build() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}
