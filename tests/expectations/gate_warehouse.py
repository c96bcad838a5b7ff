"""Small real DuckDB warehouses for the gate tests: good data plus planted defects."""

from __future__ import annotations

from pathlib import Path

import duckdb

FETCHED_AT = "2026-11-27 02:00:03+00"
MAX_FETCHED_AT = "2026-11-28T00:00:00+00:00"
LOGICAL_DATE = "2026-11-27"
PARAMS = {"max_fetched_at": MAX_FETCHED_AT, "logical_date": LOGICAL_DATE}

from extractors.registry import NETWORKS, raw_table  # noqa: E402

RAW_TABLES = [(raw_table(n.slug, s), s) for n in NETWORKS.values() for s in n.streams]

from loader.load import RAW_COLUMNS  # noqa: E402

# the loader's own columns and NOT NULL constraints (the suites check the constraints)
RAW_DDL = "create table raw.{table} (" + RAW_COLUMNS + ")"

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
     'Bäckerei Sonnenschein', 'Europe/Berlin', 'api'),
    ('acc_ig', 'baeckerei-sonnenschein', 'Bäckerei Sonnenschein', 'instagram', '1000000001',
     'baeckerei.sonnenschein', 'Europe/Berlin', 'api')
) as t(account_key, business, business_name, platform, account_id, account_name, timezone,
       provenance);

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
    30 + i as platform_engagements,
    10 + i as clicks,
    cast(i between 1 and 4 as bigint) as posts_published,
    'platform_day' as metric_day_basis
from range(0, 7) as r(i);
insert into marts.fct_account_daily values ('acc_ig', 'baeckerei-sonnenschein', 'instagram',
    date '2026-11-26', 900, null, null, null, null, null, 0, 'platform_day');
"""


KPI_DDL = """
create table marts.kpi_monthly as
select
    'baeckerei-sonnenschein' as business,
    platform,
    date '2026-09-01' + to_months(cast(i as integer)) as period_start,
    last_day(date '2026-09-01' + to_months(cast(i as integer))) as period_end,
    1000 + i as views,
    cast(null as bigint) as viewers,
    500 + i as followers_end,
    cast(i as bigint) as follower_growth,
    20 + i as clicks,
    (20.0 + i) / (1000 + i) as click_through_rate_by_views,
    10 as comments_received,
    0.4 as reply_rate,
    cast(6 as bigint) as posts_published,
    map {'photo': 6} as posts_by_type,
    50 as engagements,
    0.05 as engagement_rate_by_views,
    cast(null as double) as total_cost_eur,
    false as is_small_sample,
    false as is_partial_period,
    'api' as provenance,
    ['costs'] as missing_inputs,
    false as affected_by_retired_metric
from range(0, 3) as r(i), (values ('all'), ('facebook')) as p(platform);

create table marts.kpi_weekly as
select
    business, platform,
    cast(period_start + to_days(0) as date) as period_start,
    cast(period_start + to_days(6) as date) as period_end,
    cast(isoyear(period_start) as integer) as iso_year,
    cast(weekofyear(period_start) as integer) as iso_week,
    * exclude (business, platform, period_start, period_end)
from (
    select * replace (
        date '2026-09-07' + to_days(7 * cast(views - 1000 as integer)) as period_start
    )
    from marts.kpi_monthly
);
"""

OUTCOME_LINKAGE_DDL = """
create table marts.outcome_linkage as
select
    'baeckerei-sonnenschein' as business,
    'enquiries' as outcome_metric,
    'all' as activity_platform,
    'views' as activity_measure,
    cast(i as integer) as lag_weeks,
    cast(40 as integer) as weeks_used,
    0.001 * i as effect_per_unit,
    0.1 * i as effect_standardised,
    0.001 * i - 0.002 as ci_low,
    0.001 * i + 0.002 as ci_high,
    0.01 * (i + 1) as p_value,
    0.05 * (i + 1) as p_value_adjusted,
    case when i = 0 then 'effect detected' else 'no detectable effect' end as verdict,
    'distributed lag 0-4 weeks' as method,
    'manual/api' as provenance
from range(0, 5) as r(i);
"""


COMMENTS_DDL = """
create table marts.fct_comments as
select
    md5('facebook:c' || i) as comment_key,
    md5('facebook:1000000001_1') as post_key,
    'acc_fb' as account_key,
    'baeckerei-sonnenschein' as business,
    'facebook' as platform,
    timestamptz '2026-11-20 10:00:00+00' + to_hours(cast(i as integer)) as commented_at,
    date '2026-11-20' as commented_date,
    case when i = 1 then null else sha256('x' || i) end as commenter_key,
    i = 1 as is_from_owner,
    i = 1 as is_reply,
    'de' as language,
    case when i = 2 then -0.5 else 0.0 end as sentiment_score,
    case when i = 2 then 'negative' else 'neutral' end as sentiment_label,
    case when i = 2 then 'complaint' else 'question' end as intent,
    i <> 2 as is_question,
    case when i <> 1 then i = 0 end as owner_replied,
    case when i = 0 then timestamptz '2026-11-20 11:00:00+00' end as first_owner_reply_at,
    case when i = 0 then 60.0 end as minutes_to_owner_reply,
    i = 3 as is_unanswered_question,
    'Habt ihr offen?' as message,
    'messbar-comments-rules-1.0' as classifier_version
from range(0, 4) as r(i);

create table marts.reputation_alerts as
select
    md5('friseur-schnittpunkt:2026-01-17') as alert_key,
    'friseur-schnittpunkt' as business,
    date '2026-01-17' as alert_date,
    'critical' as severity,
    4.3e-8 as combined_p_value,
    cast(9 as bigint) as negative_comments,
    1.07 as negative_comments_expected,
    2.03 as negative_comments_dispersion,
    0.0024 as negative_comments_p_value,
    cast(6 as bigint) as unfollows,
    0.30 as unfollows_expected,
    1.0 as unfollows_dispersion,
    8.4e-7 as unfollows_p_value,
    cast(56 as bigint) as baseline_days,
    [md5('facebook:c2')] as comment_keys;
"""


# The loader's bookkeeping (loader/load.py, loader/drift.py, loader/inputs/load.py): one earlier
# run and this run, each loading 100 Facebook rows, and state behind the logical date.
BOOKKEEPING_DDL = """
create table raw._loaded_files as
select 'facebook/posts/' || run_id || '.ndjson.gz' as path, 'facebook' as network,
    'posts' as stream, '1000000001' as account_id, run_id,
    '_manifests/' || run_id || '.json' as manifest, cast(100 as bigint) as rows,
    'sha' as sha256, loaded_at
from (values ('scheduled__2026-11-25', timestamptz '2026-11-26 02:10:00+00'),
             ('scheduled__2026-11-26', timestamptz '2026-11-27 02:10:00+00'))
    as r(run_id, loaded_at);
create table raw._state as
select 'facebook' as network, '1000000001' as account_id, 'posts_high_water_mark' as key,
    '2026-11-26T17:00:00+00:00' as value, 'scheduled__2026-11-26' as run_id,
    timestamptz '2026-11-27 02:10:00+00' as updated_at;
create table raw._events (network varchar, account_id varchar, run_id varchar, kind varchar,
    detail varchar, logged_at timestamptz);
insert into raw._events values ('facebook', '1000000001', 'scheduled__2026-11-25',
    'type_change', 'an old type change of an earlier run', timestamptz '2026-11-26 02:10:00+00');
create table raw._schema (table_name varchar, field varchar, json_type varchar,
    first_run_id varchar, first_seen_at timestamptz);
insert into raw._schema values ('facebook__posts', '$.id', 'string', 'scheduled__2026-11-25',
    timestamptz '2026-11-26 02:10:00+00');
create table raw._quarantine as
select 'facebook__posts' as table_name, 'missing id' as reason, _loaded_at as quarantined_at, *
from raw.facebook__posts where false;
create table raw._erasures (platform varchar, commenter_key varchar, erased_at timestamptz);
create table raw.config__accounts as
select business, business_name, timezone, platform, account_id, account_name
from marts.dim_accounts;
create table raw.input__costs (business varchar, month date, platform varchar,
    hours_spent decimal(18, 2), hourly_rate_eur decimal(18, 2), ad_spend_eur decimal(18, 2),
    agency_tool_cost_eur decimal(18, 2), _file varchar, _line bigint, _sha256 varchar,
    _loaded_at timestamptz);
create table raw.input__outcomes (business varchar, period_start date, period varchar,
    metric varchar, value decimal(18, 2), _file varchar, _line bigint, _sha256 varchar,
    _loaded_at timestamptz);
"""

# The staging unions the marts are reconciled with: views over the marts, so they agree.
INTERMEDIATE_DDL = """
create schema intermediate;
create view intermediate.int_posts__unioned as
select a.platform, a.account_id, p.views, p.reactions, p.comments, p.shares, p.clicks
from marts.fct_posts p join marts.dim_accounts a using (account_key);
create view intermediate.int_account_daily__unioned as
select a.platform, a.account_id, d.views, d.viewers, d.platform_engagements as engagements,
    d.clicks
from marts.fct_account_daily d join marts.dim_accounts a using (account_key);
create view intermediate.int_comments__classified as
select c.platform, c.business, a.account_id
from marts.fct_comments c join marts.dim_accounts a using (account_key);
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
        con.execute(KPI_DDL)
        con.execute(COMMENTS_DDL)
        con.execute(OUTCOME_LINKAGE_DDL)
        con.execute(BOOKKEEPING_DDL)
        con.execute(INTERMEDIATE_DDL)
        for sql in defects:
            con.execute(sql)
    return path
