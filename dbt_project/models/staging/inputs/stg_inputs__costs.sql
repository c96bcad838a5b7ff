with

source as (
    {{ source_or_empty('inputs', 'input__costs', {
        'business': 'varchar', 'month': 'date', 'platform': 'varchar',
        'hours_spent': 'decimal(18,2)', 'hourly_rate_eur': 'decimal(18,2)',
        'ad_spend_eur': 'decimal(18,2)', 'agency_tool_cost_eur': 'decimal(18,2)',
        '_file': 'varchar', '_line': 'bigint', '_sha256': 'varchar',
        '_loaded_at': 'timestamptz'
    }) }}
),

renamed as (
    select
        business,
        platform,
        cast(month as date) as cost_month,
        cast(hours_spent as decimal(18, 2)) as hours_spent,
        cast(hourly_rate_eur as decimal(18, 2)) as hourly_rate_eur,
        cast(ad_spend_eur as decimal(18, 2)) as ad_spend_eur,
        cast(agency_tool_cost_eur as decimal(18, 2)) as agency_tool_cost_eur,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256,
        _loaded_at as loaded_at,
        'manual' as provenance
    from source
)

select * from renamed
