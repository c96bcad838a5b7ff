{#- Metric definitions used by the marts. Each is written once here and unit-tested in the
    marts' YAML. -#}

{#- engagements = reactions + comments + shares (NULL when any part is unknown). -#}
{% macro engagements(reactions, comments, shares) -%}
    ({{ reactions }} + {{ comments }} + {{ shares }})
{%- endmacro %}

{#- numerator / denominator as DOUBLE; NULL when the denominator is NULL or 0. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}
