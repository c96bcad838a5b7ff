{#- The row-level checks of one model in one test (one dbt node):
      unique:          list of keys, each a list of columns whose combination must not repeat
      not_null:        columns that must be filled
      accepted_values: column -> the values it may hold (compared as text, so `[0, 1]` accepts
                       an integer column's 0 and 1; NULLs are left to not_null)
    Fails with one row per problem: which check, which column(s), the offending value (the key
    of a repeated combination, the value outside the list; NULL for missing values) and how
    many rows hold it. dbt spends tens of milliseconds of its own bookkeeping on every test
    node; here each check is one branch of a single query, and the model is scanned once for
    all not_null and once for all accepted_values columns. -#}
{% test row_checks(model, unique=[], not_null=[], accepted_values={}) %}
    {%- if not (unique or not_null or accepted_values) -%}
        {{ exceptions.raise_compiler_error(
            "row_checks on " ~ model ~ ": list at least one of unique, not_null, accepted_values"
        ) }}
    {%- endif %}
    {%- set branches = [] %}

    with
    {%- for key in unique %}
        {%- if key is string %}
            {{ exceptions.raise_compiler_error(
                "row_checks on " ~ model ~ ": unique takes a list of keys, each a list of "
                ~ "columns; write [[" ~ key ~ "]] for a single column"
            ) }}
        {%- endif %}
        repeated_{{ loop.index }} as (
            select
                'unique' as check_name,
                '{{ key | join(", ") }}' as column_name,
                cast(struct_pack({{ key | join(", ") }}) as varchar) as bad_value,
                count(*) as n_rows
            from {{ model }}
            group by {{ key | join(", ") }}
            having count(*) > 1
        ),
        {%- do branches.append("repeated_" ~ loop.index) %}
    {%- endfor %}
    {%- if not_null %}
        null_counts as (
            select
            {%- for column in not_null %}
                count(*) filter (where {{ column }} is null) as "{{ column }}"
                {{- "," if not loop.last }}
            {%- endfor %}
            from {{ model }}
        ),

        missing as (
            select
                'not_null' as check_name,
                column_name,
                null::varchar as bad_value,
                n_rows
            from (unpivot null_counts on columns(*) into name column_name value n_rows)
            where n_rows > 0
        ),
        {%- do branches.append("missing") %}
    {%- endif %}
    {%- if accepted_values %}
        cells as (
            select
            {%- for column in accepted_values %}
                cast({{ column }} as varchar) as "{{ column }}"{{ "," if not loop.last }}
            {%- endfor %}
            from {{ model }}
        ),

        accepted (column_name, accepted_value) as (
            values
            {%- for column, values in accepted_values.items() %}
                {%- set by_column = loop %}
                {%- for value in values %}
                ('{{ column }}', '{{ value | string | replace("'", "''") }}')
                {{- "," if not (loop.last and by_column.last) }}
                {%- endfor %}
            {%- endfor %}
        ),

        unaccepted as (
            select
                'accepted_values' as check_name,
                cells_long.column_name,
                cells_long.cell_value as bad_value,
                count(*) as n_rows
            from (unpivot cells on columns(*) into name column_name value cell_value) as cells_long
            anti join accepted
                on
                    cells_long.column_name = accepted.column_name
                    and cells_long.cell_value = accepted.accepted_value
            group by cells_long.column_name, cells_long.cell_value
        ),
        {%- do branches.append("unaccepted") %}
    {%- endif %}

        problems as (
        {%- for branch in branches %}
            select check_name, column_name, bad_value, n_rows from {{ branch }}
            {{- " union all" if not loop.last }}
        {%- endfor %}
        )

    select * from problems

{% endtest %}
