-- Account snapshots of every enabled network, one row per account and local calendar day of the
-- fetch (the business's time zone): the latest fetch of that day wins.
with

pages as (
    {{ union_enabled_networks('pages') }}
),

configured as (
    select * from {{ ref('stg_messbar__accounts') }}
),

localized as (
    select
        pages.platform,
        pages.business,
        pages.account_id,
        pages.account_name,
        pages.followers,
        pages.fetched_at,
        {{ local_date(
            'pages.fetched_at', timezone_or_default('configured.timezone')
        ) }} as snapshot_date
    from pages
    left join configured
        on
            pages.platform = configured.platform
            and pages.account_id = configured.account_id
)

select * from localized
qualify row_number() over (
    partition by platform, account_id, snapshot_date
    order by fetched_at desc
) = 1
