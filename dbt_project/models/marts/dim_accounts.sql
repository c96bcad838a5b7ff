-- One row per account: every configured account of an enabled network plus any account that
-- shows up in the data without a config entry (so no fact row loses its dimension).
with

configured as (
    select * from {{ ref('stg_messbar__accounts') }}
    where platform in (
        {%- for network in var('enabled_networks') %}
            '{{ network }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
),

latest_snapshots as (
    select * from {{ ref('int_accounts__unioned') }}
    qualify row_number() over (
        partition by platform, account_id
        order by fetched_at desc
    ) = 1
),

seen_accounts as (
    select
        platform,
        account_id,
        business
    from configured
    union all
    select
        platform,
        account_id,
        business
    from latest_snapshots
    union all
    select
        platform,
        account_id,
        business
    from {{ ref('int_posts__unioned') }}
    union all
    select
        platform,
        account_id,
        business
    from {{ ref('int_account_daily__unioned') }}
),

account_spine as (
    select
        platform,
        account_id,
        max(business) as business
    from seen_accounts
    group by platform, account_id
)

select
    {{ surrogate_key(['account_spine.platform', 'account_spine.account_id']) }} as account_key,
    coalesce(configured.business, account_spine.business) as business,
    coalesce(
        configured.business_name, configured.business, account_spine.business
    ) as business_name,
    account_spine.platform,
    account_spine.account_id,
    coalesce(latest_snapshots.account_name, configured.account_name) as account_name,
    {{ timezone_or_default('configured.timezone') }} as timezone,
    {{ provenance('account_spine.platform') }} as provenance
from account_spine
left join configured
    on
        account_spine.platform = configured.platform
        and account_spine.account_id = configured.account_id
left join latest_snapshots
    on
        account_spine.platform = latest_snapshots.platform
        and account_spine.account_id = latest_snapshots.account_id
