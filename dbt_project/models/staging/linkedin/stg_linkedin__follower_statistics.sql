-- Time-bound (DAY) follower statistics: one row per organization and UTC day; the latest fetch
-- wins. timeRange.start is the UTC midnight (epoch milliseconds) that starts the day.
with

source as (
    select * from {{ source('linkedin', 'linkedin__follower_statistics') }}

    {{ loaded_since_last_build() }}
),

typed as (
    select
        'linkedin' as platform,
        business,
        account_id,
        cast(
            epoch_ms(cast(json_extract_string(payload, '$.timeRange.start') as bigint)) as date
        ) as metric_date,
        cast(
            json_extract_string(payload, '$.followerGains.organicFollowerGain') as bigint
        ) as organic_follower_gain,
        cast(
            json_extract_string(payload, '$.followerGains.paidFollowerGain') as bigint
        ) as paid_follower_gain,
        _fetched_at as fetched_at,
        _fetched_at,
        _file,
        _row,
        _loaded_at
    from source
    where json_extract_string(payload, '$.timeRange.start') is not null
),

candidates as (
    {{ with_current_rows('typed', ['account_id', 'metric_date']) }}
),

latest as (
    select * from candidates
    {{ latest_row(['account_id', 'metric_date']) }}
)

select
    platform,
    business,
    account_id,
    metric_date,
    organic_follower_gain,
    paid_follower_gain,
    organic_follower_gain + paid_follower_gain as follower_gain,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
