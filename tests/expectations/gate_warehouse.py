"""Small real DuckDB warehouses for the gate tests: good data plus planted defects."""

from __future__ import annotations

from pathlib import Path

import duckdb

FETCHED_AT = "2026-11-27 02:00:03+00"
MAX_FETCHED_AT = "2026-11-28T00:00:00+00:00"
PARAMS = {"max_fetched_at": MAX_FETCHED_AT}

from extractors.registry import NETWORKS, raw_table  # noqa: E402

RAW_TABLES = [(raw_table(n.slug, s), s) for n in NETWORKS.values() for s in n.streams]

RAW_DDL = """
create table raw.{table} (
    _file varchar, _row bigint, _run_id varchar, _fetched_at timestamptz, _logical_date date,
    _loaded_at timestamptz, business varchar, account_id varchar, object_id varchar,
    endpoint varchar, payload json
)
"""

RAW_ROWS = """
insert into raw.{table}
select
    'facebook/{stream}/account=1000000001/logical_date=2026-11-27/run1.ndjson.gz',
    i,
    'scheduled__2026-11-26',
    timestamptz '{fetched_at}' + to_seconds(i),
    date '2026-11-27',
    timestamptz '2026-11-27 02:10:00+00',
    'baeckerei-sonnenschein',
    '1000000001',
    case when '{stream}' in ('post_insights', 'comments') then '1000000001_' || i
         else '1000000001' end,
    '/v25.0/1000000001/{stream}',
    json_object('id', i::varchar, 'name', 'row ' || i)
from range(1, 4) as r(i)
"""

MARTS_DDL = """
create table marts.dim_accounts as
select * from (values
    ('acc_fb', 'baeckerei-sonnenschein', 'Bäckerei Sonnenschein', 'facebook', '1000000001',
     'Bäckerei Sonnenschein', 'Europe/Berlin'),
    ('acc_ig', 'baeckerei-sonnenschein', 'Bäckerei Sonnenschein', 'instagram', '1000000001',
     'baeckerei.sonnenschein', 'Europe/Berlin')
) as t(account_key, business, business_name, platform, account_id, account_name, timezone);

create table marts.fct_posts as
select
    'post_' || i as post_key,
    'acc_fb' as account_key,
    'baeckerei-sonnenschein' as business,
    'facebook' as platform,
    '1000000001_' || i as post_id,
    timestamptz '2026-11-20 10:00:00+00' + to_days(i) as published_at,
    cast(timestamptz '2026-11-20 10:00:00+00' + to_days(i) as date) as published_date,
    'status' as post_type,
    'Frische Brötchen #' || i as message,
    'https://facebook.example/posts/' || i as permalink_url,
    100 * i as views,
    80 * i as viewers,
    10 * i as reactions,
    2 * i as comments,
    i as shares,
    5 * i as clicks,
    13 * i as engagements,
    cast(13 * i as double) / (100 * i) as engagement_rate_by_views,
    timestamptz '{fetched_at}' as metrics_fetched_at
from range(1, 5) as r(i);

create table marts.fct_account_daily as
select
    'acc_fb' as account_key,
    'baeckerei-sonnenschein' as business,
    'facebook' as platform,
    date '2026-11-20' + cast(i as integer) as account_date,
    500 + i as followers,
    case when i = 0 then null else 1 end as follower_change,
    200 + i as views,
    150 + i as viewers,
    30 + i as engagements,
    10 + i as clicks,
    cast(i % 2 as bigint) as posts_published,
    'platform_day' as metric_day_basis
from range(0, 7) as r(i);
"""


def build_warehouse(path: Path, *defects: str) -> Path:
    """Write a warehouse that passes every suite, then run the ``defects`` SQL on it."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw; create schema marts")
        for table, stream in RAW_TABLES:
            con.execute(RAW_DDL.format(table=table))
            if table.startswith("facebook__"):  # payload-specific suites need real payloads
                con.execute(RAW_ROWS.format(table=table, stream=stream, fetched_at=FETCHED_AT))
        con.execute(MARTS_DDL.format(fetched_at=FETCHED_AT))
        for sql in defects:
            con.execute(sql)
    return path
