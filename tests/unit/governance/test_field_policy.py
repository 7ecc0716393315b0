"""Face data and holders as a recipient not granted them sees them, field by field."""

from __future__ import annotations

from certfree import certs
from certfree.governance.field_policy import mask_face_data, mask_holder

ID_CARD = "11100000000013047R001"  # 居民身份证
TRANSPORT = "11100000000013119J001"  # 道路运输经营许可证, held by a firm


def test_each_face_field_is_masked_by_its_class_unless_granted() -> None:
    face = certs.cert_type(ID_CARD).example
    shown = mask_face_data(ID_CARD, face)
    assert shown == {
        "name": "王*",
        "sex": "男",  # personal information needing no mask
        "ethnic_group": "汉",
        "birth_date": "1958-**-**",
        "address": "山东省济南市历下区****",
        "division_code": "370102",
        "id_number": "3701**********0139",
        "issuing_authority": "济南市公安局历下分局",
    }
    granted = mask_face_data(ID_CARD, face, granted={"name", "address"})
    assert (granted["name"], granted["address"]) == (face["name"], face["address"])
    assert granted["id_number"] == "3701**********0139"


def test_a_field_the_type_does_not_know_is_hidden() -> None:
    assert mask_face_data(ID_CARD, {"nickname": "小王"}) == {"nickname": "***"}


def test_a_person_holder_is_masked_and_an_organisation_is_public() -> None:
    assert mask_holder(ID_CARD, "370102195803150139") == "3701**********0139"
    assert mask_holder(TRANSPORT, "91370102MA3C5T8K4B") == "91370102MA3C5T8K4B"
