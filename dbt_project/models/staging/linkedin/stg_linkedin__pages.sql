-- One row per organization and fetch. A fetch lands two objects in the same landing file: the
-- organization lookup (name) and the networkSizes answer (follower total, firstDegreeSize); the
-- follower total is carried onto the lookup row of its file. The local-day reduction happens in
-- int_accounts__unioned (staging does not join).
with

source as (
    select * from {{ source('linkedin', 'linkedin__organization') }}

    {{ loaded_since_last_build() }}
),

objects as (
    select
        business,
        account_id,
        endpoint,
        json_extract_string(payload, '$.localizedName') as account_name,
        json_extract_string(payload, '$.vanityName') as vanity_name,
        max(
            cast(json_extract_string(payload, '$.firstDegreeSize') as bigint)
        ) over (partition by _file) as followers,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
),

renamed as (
    select
        'linkedin' as platform,
        business,
        account_id,
        account_name,
        vanity_name,
        followers,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from objects
    where endpoint like '/rest/organizations/%'
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
    vanity_name,
    followers,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
