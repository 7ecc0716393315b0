"""The province's keys as the provider checks consent attestations with them: a signature
found valid once is not verified again, and nothing that does not verify ever passes."""

from __future__ import annotations

import pytest

from certfree.crypto import generate_signer
from certfree.errors import SignatureInvalid
from certfree.exchange.questions.consents import _remembering


def test_a_remembered_key_still_refuses_what_does_not_verify() -> None:
    signer = generate_signer()
    key = _remembering(signer.verifier)
    assert _remembering(signer.verifier) is key  # one per registry key object
    assert key.kid == signer.verifier.kid
    data = b"header.claims"
    signature = signer.sign(data)
    key.verify(data, signature)
    key.verify(data, signature)  # remembered: the same answer
    with pytest.raises(SignatureInvalid):
        key.verify(b"header.other-claims", signature)
    altered = bytes([signature[0] ^ 1]) + signature[1:]
    with pytest.raises(SignatureInvalid):
        key.verify(data, altered)
    with pytest.raises(SignatureInvalid):  # a refused signature is not remembered either
        key.verify(data, altered)
    other = generate_signer()
    with pytest.raises(SignatureInvalid):  # another key's wrapper knows nothing of this one
        _remembering(other.verifier).verify(data, signature)
