-- XING has no post-level data: its public API closed in 2019 and never exposed company-page
-- posts or their statistics, and the owner's CSV holds page totals only. A typed, empty model
-- keeps the conformed post union complete.
select
    'xing' as platform,
    cast(null as varchar) as business,
    cast(null as varchar) as account_id,
    cast(null as varchar) as post_id,
    cast(null as timestamptz) as published_at,
    cast(null as timestamptz) as updated_at,
    cast(null as varchar) as message,
    cast(null as varchar) as permalink_url,
    cast(null as varchar) as post_type,
    cast(null as bigint) as reactions,
    cast(null as bigint) as comments,
    cast(null as bigint) as shares,
    cast(null as timestamptz) as fetched_at,
    'manual' as provenance
where false
