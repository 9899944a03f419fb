"""Analytics: the usage event buffer and publisher, the consumer that loads usage and order
events into DuckDB and daily Parquet, and the reports over them (analytics/EVENTS.md)."""
