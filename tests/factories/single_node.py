"""The single demo node ``make run`` serves, for tests of applications on one node."""

from __future__ import annotations

from certfree.auth.tokens import NODE_KEY_OWNER
from certfree.crypto import KeyStore
from certfree.demo import grant_demo_departments, list_province_itself, load_demo_items
from certfree.settings import Settings
from certfree.storage import Database

PROVINCE = "370000"


def hosting_province(settings: Settings, db: Database, keys: KeyStore) -> Settings:
    """The province node answering for every department itself (hosted departments), with
    the demo service items and their questions granted at each department; its settings."""
    hosting = Settings(**{**settings.model_dump(), "hosted_departments": ["*"]})
    with db.session() as session:
        load_demo_items(session, "tester")
        list_province_itself(
            session, PROVINCE, jwks=keys.jwks(NODE_KEY_OWNER), endpoint=hosting.base_url
        )
        grant_demo_departments(session, PROVINCE)
    return hosting
