"""Tables of the historical-certificate backfill (补齐历史数据)."""
