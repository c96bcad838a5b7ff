-- One row per Page and fetch; the local-day reduction needs the business time zone and happens
-- in int_accounts__unioned (staging does not join).
with

source as (
    select * from {{ source('facebook', 'facebook__page') }}
    {{ loaded_since_last_build() }}
),

renamed as (
    select
        'facebook' as platform,
        business,
        account_id,
        json_extract_string(payload, '$.name') as account_name,
        json_extract_string(payload, '$.username') as username,
        cast(json_extract_string(payload, '$.followers_count') as bigint) as followers,
        cast(json_extract_string(payload, '$.fan_count') as bigint) as fans,
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
    fans,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
