"""Names the DAG files share (not a DAG file: the loader skips this folder)."""

API_POOL = "messbar_api"  # caps concurrent calls to the networks' APIs
API_POOL_SLOTS = 4
WRITER_POOL = "duckdb_writer"  # exactly one task may write the warehouse at a time
WRITER_POOL_SLOTS = 1
SCHEDULE_CRON = "0 3 * * *"  # 03:00 in the business time zone, after Meta's daily refresh
SCHEDULE_TIMEZONE = "Europe/Berlin"
