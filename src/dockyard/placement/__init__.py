"""Pure placement engine: filters, strategies, cluster query language (later issues)."""
