{#- Conformed column lists: every network's staging model stg_<slug>__<entity> must expose
    these columns (plus anything else it likes); the intermediate unions read only these. -#}
{% macro conformed_columns(entity) -%}
    {%- set columns = {
        "pages": [
            "platform", "business", "account_id", "account_name", "followers", "fetched_at"
        ],
        "page_insights": [
            "platform", "business", "account_id", "metric_name", "period", "measure_name",
            "metric_date", "metric_day_basis", "metric_value", "fetched_at"
        ],
        "posts": [
            "platform", "business", "account_id", "post_id", "published_at", "updated_at",
            "message", "permalink_url", "post_type", "reactions", "comments", "shares",
            "fetched_at"
        ],
        "post_insights": [
            "platform", "business", "account_id", "post_id", "metric_name", "measure_name",
            "metric_value", "fetched_at"
        ],
        "comments": [
            "platform", "business", "account_id", "post_id", "comment_id", "parent_comment_id",
            "commented_at", "message", "like_count", "reply_count", "is_from_owner",
            "commenter_key", "fetched_at"
        ],
    } -%}
    {%- if entity not in columns -%}
        {{ exceptions.raise_compiler_error(
            "conformed_columns: unknown entity '" ~ entity ~ "'; known: "
            ~ (columns.keys() | list | join(", "))
        ) }}
    {%- endif -%}
    {{ return(columns[entity]) }}
{%- endmacro %}

{#- union all of stg_<slug>__<entity> over var('enabled_networks'), conformed columns only.
    Every enabled network provides all five entities; one that lacks an entity (XING has no
    posts) ships a typed, empty staging model that says why. -#}
{% macro union_enabled_networks(entity) -%}
    {%- set networks = var("enabled_networks") -%}
    {%- if networks | length == 0 -%}
        {{ exceptions.raise_compiler_error("var 'enabled_networks' is empty: enable a network") }}
    {%- endif -%}
    {%- for network in networks %}
        select
            {{ conformed_columns(entity) | join(",\n            ") }}
        from {{ ref("stg_" ~ network ~ "__" ~ entity) }}
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
