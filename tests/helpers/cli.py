"""The environment a CLI test runs ``certfree`` in: the test node's database, keys and code."""

from __future__ import annotations

from certfree.settings import Settings


def node_env(settings: Settings) -> dict[str, str]:
    """``CERTFREE_*`` variables that point the CLI at the node of ``settings``."""
    return {
        "CERTFREE_DATABASE_URL": settings.database_url,
        "CERTFREE_KEY_DIR": str(settings.key_dir),
        "CERTFREE_KEY_PASSPHRASE": settings.key_passphrase,
        "CERTFREE_NODE_CODE": settings.node_code,
    }
