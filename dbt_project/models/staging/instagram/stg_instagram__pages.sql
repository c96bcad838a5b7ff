-- One row per IG account and fetch; the local-day reduction needs the business time zone and
-- happens in int_accounts__unioned (staging does not join).
with

source as (
    select * from {{ source('instagram', 'instagram__account') }}

    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'instagram' as platform,
        business,
        account_id,
        coalesce(
            json_extract_string(payload, '$.name'), json_extract_string(payload, '$.username')
        ) as account_name,
        json_extract_string(payload, '$.username') as username,
        cast(json_extract_string(payload, '$.followers_count') as bigint) as followers,
        cast(json_extract_string(payload, '$.follows_count') as bigint) as follows,
        cast(json_extract_string(payload, '$.media_count') as bigint) as media_count,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

candidates as (
    {{ with_current_rows('renamed', ['account_id', '_fetched_at']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['account_id', '_fetched_at']) }}
)

select
    platform,
    business,
    account_id,
    account_name,
    username,
    followers,
    follows,
    media_count,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
