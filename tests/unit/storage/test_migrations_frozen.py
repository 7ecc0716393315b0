"""Released migrations stay as released; new ones come next in one straight line."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

from alembic.config import Config
from alembic.script import ScriptDirectory

VERSIONS = resources.files("certfree") / "migrations" / "versions"
# SHA-256 of each released migration file (its first 128 bits). A change to one of them would
# change a schema that databases already have under the same revision id: add a migration.
RELEASED = {
    "0001_nodes_and_demo_population.py": "bd79ad5bede808ec0d82edd0fe17788a",
    "0002_proof_list_service_items_commitments.py": "3cf5f0209171cc4e9a76b139aa5cc022",
    "0003_e_certificates.py": "2830ced73549d6340e177138bb59fa9a",
    "0004_exchange_audit_consent_grants_catalog.py": "3c7bd8dcd6fca0888614d149e240334d",
    "0005_certificate_use_per_presentation.py": "f3d2cc38aa9277e401c771b27ec0e60e",
    "0006_service_item_parties_and_time_limits.py": "a11d8915a82013533d6277d99b0002b7",
    "0007_applications.py": "431e04fb8ad312001d00107ac687a86a",
    "0008_service_evidence_expected_answer.py": "10551bb0ec7c03595173eac800e15eff",
    "0009_backfill_job_issuer.py": "d80604650ab4a04669eb44dac90215f5",
}


def _files() -> list[str]:
    return sorted(p.name for p in VERSIONS.iterdir() if p.name.endswith(".py") and p.name[0] != "_")


def test_released_migrations_are_unchanged() -> None:
    for name, digest in RELEASED.items():
        assert hashlib.sha256((VERSIONS / name).read_bytes()).hexdigest()[:32] == digest, name


def test_files_are_numbered_and_named_by_what_they_change() -> None:
    files = _files()
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+\.py", name) for name in files), files
    assert [int(name[:4]) for name in files] == list(range(1, len(files) + 1))


def test_the_revisions_form_one_line_in_file_order() -> None:
    config = Config()
    config.set_main_option("script_location", str(resources.files("certfree") / "migrations"))
    script = ScriptDirectory.from_config(config)
    newest_first = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    by_file = [r.path.rsplit("/", 1)[-1] for r in reversed(newest_first)]
    assert by_file == _files()
