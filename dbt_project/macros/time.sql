{#- Local calendar day of a UTC timestamp (TIMESTAMPTZ) in an IANA time zone column or literal.
    timezone(tz, ts) turns the instant into that zone's wall-clock time, so the date does not
    depend on the session's TimeZone setting. -#}
{% macro local_date(timestamp_utc, timezone_name) -%}
    cast(timezone({{ timezone_name }}, {{ timestamp_utc }}) as date)
{%- endmacro %}

{#- A business time zone with the project default as fallback. -#}
{% macro timezone_or_default(timezone_name) -%}
    coalesce(nullif(trim({{ timezone_name }}), ''), '{{ var("default_timezone") }}')
{%- endmacro %}
