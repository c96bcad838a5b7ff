-- The metric registry seeds of every enabled network (metric_registry__<slug>) in one relation,
-- with the network as `platform`.
with

-- noqa: disable=LT02
registries as (
    {%- for network in var("enabled_networks") %}
        select
            '{{ network }}' as platform,
            platform_metric,
            level,
            measure_name,
            available_from,
            retired_on
        from {{ ref("metric_registry__" ~ network) }}
    {%- if not loop.last %}
        union all
    {%- endif %}
    {%- endfor %}
)
-- noqa: enable=LT02

select * from registries
