{#- The one surrogate key: md5 of the fields joined with ':' (e.g. platform || ':' || account_id).
    Ids collide across networks, so every key includes the platform. -#}
{% macro surrogate_key(fields) -%}
    md5(
        {%- for field in fields %}
            cast({{ field }} as varchar){% if not loop.last %} || ':' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
