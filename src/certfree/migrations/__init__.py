"""Alembic migrations of every node's database.

Files are named ``NNNN_what_it_changes.py`` in the order they apply. Once a migration has been
released it is frozen: databases in the field record its revision id (the older ones keep the
ids they were released under, such as ``issue5``), so a later change adds the next file rather
than editing or regenerating an old one. ``tests/unit/storage/test_migrations_frozen.py`` holds
the digest of each released file.
"""
