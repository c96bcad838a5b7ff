-- One row per post with its latest lifetime metrics; published_date is the business's local day.
with

posts as (
    select * from {{ ref('int_posts__unioned') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
)

select
    {{ surrogate_key(['posts.platform', 'posts.post_id']) }} as post_key,
    accounts.account_key,
    accounts.business,
    posts.platform,
    posts.post_id,
    posts.published_at,
    {{ local_date('posts.published_at', 'accounts.timezone') }} as published_date,
    posts.post_type,
    posts.message,
    posts.permalink_url,
    posts.views,
    posts.viewers,
    posts.reactions,
    posts.comments,
    posts.shares,
    posts.clicks,
    posts.saves,
    {{ engagements('posts.reactions', 'posts.comments', 'posts.shares') }} as engagements,
    {{ safe_ratio(
        engagements('posts.reactions', 'posts.comments', 'posts.shares'), 'posts.views'
    ) }} as engagement_rate_by_views,
    posts.metrics_fetched_at,
    accounts.provenance
from posts
inner join accounts
    on
        posts.platform = accounts.platform
        and posts.account_id = accounts.account_id
