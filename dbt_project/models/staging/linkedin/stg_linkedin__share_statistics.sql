-- Time-bound (DAY) share statistics of the page: one row per organization and UTC day; the
-- latest fetch wins. LinkedIn reports engagement as a ratio; engagement_count turns it back into
-- the interactions behind it: round(engagement * impressionCount).
with

source as (
    select * from {{ source('linkedin', 'linkedin__share_statistics') }}

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
            json_extract_string(payload, '$.totalShareStatistics.impressionCount') as bigint
        ) as impression_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.uniqueImpressionsCount')
            as bigint
        ) as unique_impressions_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.clickCount') as bigint
        ) as click_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.likeCount') as bigint
        ) as like_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.commentCount') as bigint
        ) as comment_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.shareCount') as bigint
        ) as share_count,
        cast(
            json_extract_string(payload, '$.totalShareStatistics.engagement') as double
        ) as engagement,
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
    impression_count,
    unique_impressions_count,
    click_count,
    like_count,
    comment_count,
    share_count,
    engagement,
    cast(round(engagement * impression_count) as bigint) as engagement_count,
    fetched_at,
    _fetched_at,
    _file,
    _row,
    _loaded_at
from latest
