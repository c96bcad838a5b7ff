-- XING has no post-level data (no API since 2019; the owner's CSV holds page totals only): a
-- typed, empty model keeps the conformed post insights union complete.
select
    'xing' as platform,
    cast(null as varchar) as business,
    cast(null as varchar) as account_id,
    cast(null as varchar) as post_id,
    cast(null as varchar) as metric_name,
    cast(null as varchar) as measure_name,
    cast(null as double) as metric_value,
    cast(null as timestamptz) as fetched_at,
    'manual' as provenance
where false
