"""Data resource catalog, supply and demand lists, matching, and sharing grants."""
