"""Statistics behind the insight marts, kept in plain Python so they are unit-tested and
simulated outside dbt (the dbt Python models only call them)."""
