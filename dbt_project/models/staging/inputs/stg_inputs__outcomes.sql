with

source as (
    {{ source_or_empty('inputs', 'input__outcomes', {
        'business': 'varchar', 'period_start': 'date', 'period': 'varchar',
        'metric': 'varchar', 'value': 'decimal(18,2)',
        '_file': 'varchar', '_line': 'bigint', '_sha256': 'varchar',
        '_loaded_at': 'timestamptz'
    }) }}
),

renamed as (
    select
        business,
        metric as outcome_metric,
        period,
        cast(period_start as date) as period_start,
        cast(value as decimal(18, 2)) as outcome_value,
        _file as source_file,
        _line as source_line,
        _sha256 as source_sha256,
        _loaded_at as loaded_at,
        'manual' as provenance
    from source
)

select * from renamed
