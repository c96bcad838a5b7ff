{#- Fails with one row per column and value outside that column's accepted values: the column,
    the value (as text) and how many rows hold it. NULLs are not judged (not_null_columns does
    that). One scan of the model checks every listed column, where an accepted_values test per
    column would scan the model once per column and cost dbt a node each. Values are compared as
    text, so `[0, 1]` accepts an integer column's 0 and 1. -#}
{% test accepted_values_columns(model, values_by_column) %}

    with cells as (
        select
        {%- for column in values_by_column %}
            cast({{ column }} as varchar) as "{{ column }}"{{ "," if not loop.last }}
        {%- endfor %}
        from {{ model }}
    ),

    accepted (column_name, accepted_value) as (
        values
        {%- for column, accepted in values_by_column.items() %}
            {%- set by_column = loop %}
            {%- for value in accepted %}
            ('{{ column }}', '{{ value | string | replace("'", "''") }}')
            {{- "," if not (loop.last and by_column.last) }}
            {%- endfor %}
        {%- endfor %}
    ),

    unpivoted as (
        unpivot cells on columns(*) into name column_name value cell_value
    )

    select
        unpivoted.column_name,
        unpivoted.cell_value as unexpected_value,
        count(*) as n_rows
    from unpivoted
    anti join accepted
        on
            unpivoted.column_name = accepted.column_name
            and unpivoted.cell_value = accepted.accepted_value
    group by unpivoted.column_name, unpivoted.cell_value

{% endtest %}
