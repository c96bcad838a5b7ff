{#- The source table, or an empty relation with the given columns while it does not exist yet.
    For raw tables that a stage writes only when it first runs (the owner input tables are
    created by loader/inputs on the first load), so that dbt builds on a warehouse that never
    saw that stage. `columns` maps column name -> DuckDB type. -#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {%- set src = source(source_name, table_name) -%}
    {%- set found = adapter.get_relation(
        database=src.database, schema=src.schema, identifier=src.identifier
    ) if execute else src -%}
    {%- if found is not none -%}
        select * from {{ src }}
    {%- else -%}
        select
            {%- for name, type in columns.items() %}
                cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        where false
    {%- endif -%}
{%- endmacro %}
