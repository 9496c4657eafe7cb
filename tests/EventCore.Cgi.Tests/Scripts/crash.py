raise RuntimeError("boom before any header")
