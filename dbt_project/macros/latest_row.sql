{#- Keep the newest fetch per natural key of a raw-derived relation: latest _fetched_at, then the
    later landing file and line as deterministic tie-breakers (a file reloaded twice, a retried
    run). Use as the last clause of a select that still carries _fetched_at, _file and _row. -#}
{% macro latest_row(partition_by) -%}
    qualify row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by _fetched_at desc, _file desc, _row desc
    ) = 1
{%- endmacro %}
