-- XING has no comment-level data (no API since 2019; the owner's CSV counts comments per period
-- only, see stg_xing__page_insights): a typed, empty model keeps the conformed comments union
-- complete.
select
    'xing' as platform,
    cast(null as varchar) as business,
    cast(null as varchar) as account_id,
    cast(null as varchar) as post_id,
    cast(null as varchar) as comment_id,
    cast(null as varchar) as parent_comment_id,
    cast(null as timestamptz) as commented_at,
    cast(null as varchar) as message,
    cast(null as bigint) as like_count,
    cast(null as bigint) as reply_count,
    cast(null as boolean) as is_from_owner,
    cast(null as varchar) as commenter_key,
    cast(null as timestamptz) as fetched_at,
    'manual' as provenance
where false
