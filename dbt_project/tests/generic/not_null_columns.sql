{#- Fails with one row per listed column that holds NULLs: its name and how many rows. One scan
    of the model checks every column that must be filled (a not_null test per column would scan
    the model once per column, and cost dbt a node each). -#}
{% test not_null_columns(model, column_names) %}

    with null_counts as (
        select
        {%- for column in column_names %}
            count(*) filter (where {{ column }} is null) as "{{ column }}"
            {{- "," if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )

    select column_name, null_rows
    from (unpivot null_counts on columns(*) into name column_name value null_rows)
    where null_rows > 0

{% endtest %}
