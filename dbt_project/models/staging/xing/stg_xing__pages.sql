-- One snapshot per CSV import (raw.xing__page): the followers of the latest period that has a
-- value. XING has no API and no page name in the CSV: account_name stays NULL and dim_accounts
-- uses the configured name. The local-day reduction happens in int_accounts__unioned.
with

source as (
    select * from {{ source('xing', 'xing__page') }}
),

renamed as (
    select
        'xing' as platform,
        business,
        account_id,
        cast(null as varchar) as account_name,
        cast(json_extract_string(payload, '$.followers') as bigint) as followers,
        cast(json_extract_string(payload, '$.followers_as_of') as date) as followers_as_of,
        json_extract_string(payload, '$.csv_file') as csv_file,
        json_extract_string(payload, '$.csv_sha256') as csv_sha256,
        cast(json_extract_string(payload, '$.csv_rows') as bigint) as csv_rows,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row
    from source
    {{ latest_row(['account_id', '_fetched_at']) }}
)

select
    platform,
    business,
    account_id,
    account_name,
    followers,
    followers_as_of,
    csv_file,
    csv_sha256,
    csv_rows,
    fetched_at,
    'manual' as provenance
from renamed
