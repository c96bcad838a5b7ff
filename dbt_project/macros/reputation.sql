{#- Settings of the reputation early warning (marts.reputation_alerts); override any of them
    with var('reputation_alerts', {...}). -#}
{% macro reputation_setting(name) -%}
    {%- set defaults = {
        "baseline_weeks": 8,
        "min_baseline_days": 14,
        "weekday_prior_days": 4,
        "min_daily_rate": 0.25,
        "min_negative_comments": 3,
        "min_lost_followers": 3,
        "max_dispersion": 10,
        "p_info": 0.0001,
        "p_warning": 0.00001,
        "p_critical": 0.000001,
    } -%}
    {%- set overrides = var("reputation_alerts", {}) -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("reputation_setting: unknown setting '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(overrides.get(name, defaults[name])) }}
{%- endmacro %}

{#- P(X >= k) for a count X with mean `mu` and variance `dispersion` * `mu`: negative binomial
    (r = mu / (dispersion - 1), success probability 1 / dispersion), Poisson when dispersion is 1.
    Computed as 1 - P(X < k) from the probability mass via lgamma. 1 when k <= 0; NULL when an
    input is NULL. -#}
{% macro count_upper_tail(k, mu, dispersion) -%}
    (case
        when {{ k }} is null or {{ mu }} is null or {{ dispersion }} is null then null
        when {{ k }} <= 0 then 1.0
        when {{ dispersion }} <= 1.000001 then greatest(0.0, 1.0 - list_sum(list_transform(
            range(0, cast({{ k }} as bigint)),
            lambda i: exp(i * ln({{ mu }}) - {{ mu }} - lgamma(i + 1))
        )))
        else greatest(0.0, 1.0 - list_sum(list_transform(
            range(0, cast({{ k }} as bigint)),
            lambda i: exp(
                lgamma(i + {{ mu }} / ({{ dispersion }} - 1))
                - lgamma({{ mu }} / ({{ dispersion }} - 1))
                - lgamma(i + 1)
                - ({{ mu }} / ({{ dispersion }} - 1)) * ln({{ dispersion }})
                + i * ln(({{ dispersion }} - 1) / {{ dispersion }})
            )
        )))
    end)
{%- endmacro %}

{#- Fisher's combination of two independent tail probabilities (chi-square, 4 degrees of
    freedom, closed form): p1 * p2 * (1 - ln(p1 * p2)). A missing signal counts as p = 1. -#}
{% macro combined_p_value(p1, p2) -%}
    (coalesce({{ p1 }}, 1.0) * coalesce({{ p2 }}, 1.0)
        * (1.0 - ln(greatest(coalesce({{ p1 }}, 1.0) * coalesce({{ p2 }}, 1.0), 1e-300))))
{%- endmacro %}

{#- Variance-to-mean ratio of the history, between 1 (Poisson) and max_dispersion. -#}
{% macro dispersion(variance, mean) -%}
    least(
        greatest(coalesce({{ variance }} / nullif({{ mean }}, 0), 1.0), 1.0),
        {{ reputation_setting('max_dispersion') }}
    )
{%- endmacro %}

{#- Expected count for a day: the same weekday's mean over the trailing weeks, shrunk towards the
    mean of all trailing days with `prior_days` pseudo-days (few weekday values stay stable),
    and never below `floor` (a quiet history must not turn one event into an alarm). -#}
{% macro shrunk_weekday_rate(weekday_sum, weekday_days, all_mean, prior_days, floor) -%}
    greatest(
        ({{ weekday_sum }} + {{ prior_days }} * {{ all_mean }})
        / nullif({{ weekday_days }} + {{ prior_days }}, 0),
        {{ floor }}
    )
{%- endmacro %}

{#- Severity of a tail probability p against the settings' thresholds; NULL below 'info'. -#}
{% macro alert_severity(p) -%}
    case
        when {{ p }} < {{ reputation_setting('p_critical') }} then 'critical'
        when {{ p }} < {{ reputation_setting('p_warning') }} then 'warning'
        when {{ p }} < {{ reputation_setting('p_info') }} then 'info'
    end
{%- endmacro %}
