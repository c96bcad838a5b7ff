{#- Where an account's numbers come from: 'manual' for networks the owner enters by hand
    (var('manual_networks'), filled from the network registry by the pipeline), else 'api'. -#}
{% macro provenance(platform) -%}
    case
        when {{ platform }} in (
            {%- for network in var('manual_networks') -%}
                '{{ network }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ) then 'manual'
        else 'api'
    end
{%- endmacro %}
