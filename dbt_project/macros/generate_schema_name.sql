{#- Use a model's custom schema (staging, intermediate, marts) exactly as written, without the
    dbt default "<target_schema>_" prefix; models without one land in the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
