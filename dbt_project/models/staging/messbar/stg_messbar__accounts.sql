with

source as (
    select * from {{ source('messbar', 'config__accounts') }}
),

renamed as (
    select
        platform,
        account_id,
        business,
        business_name,
        account_name,
        {{ timezone_or_default('timezone') }} as timezone
    from source
)

select * from renamed
