"""Bad input is refused before anything is signed, with a plain-Vietnamese message and a stable code."""

from __future__ import annotations

import pytest

from signing.errors import SigningError
from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from signing.trust import Trust

from .ca import Pki
from .conftest import PASSWORD, Token
from .test_agreement import add_content, flip_signed_byte


def refusal(pdf: bytes, key, trust: Trust) -> SigningError:
    with pytest.raises(SigningError) as caught:
        sign_pdf(pdf, key, trust)
    return caught.value


def test_wrong_password(receipt, pki: Pki, trust):
    err = refusal(receipt, Pkcs12Key(pki.signer.p12(PASSWORD), "sai mật khẩu"), trust)
    assert (err.code, str(err)) == ("p12_unreadable",
                                    "Không mở được tệp chứng thư số PKCS#12: sai mật khẩu hoặc tệp hỏng.")


def test_expired_certificate(receipt, pki: Pki, trust):
    err = refusal(receipt, Pkcs12Key(pki.expired.p12(PASSWORD), PASSWORD), trust)
    date = pki.expired.cert.not_valid_after_utc.strftime("%d/%m/%Y")
    assert (err.code, str(err)) == ("certificate_expired", f"Chứng thư số của người ký đã hết hạn ngày {date}.")


def test_certificate_of_an_untrusted_ca(receipt, pki: Pki, trust):
    err = refusal(receipt, Pkcs12Key(pki.stranger.p12(PASSWORD), PASSWORD), trust)
    assert err.code == "certificate_untrusted"
    assert str(err).startswith("Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực")


def test_nothing_is_trusted_unless_configured(receipt, p12_key):
    assert refusal(receipt, p12_key, Trust()).code == "certificate_untrusted"


def test_not_a_pdf(p12_key, trust):
    err = refusal(b"\x89PNG\r\n\x1a\n not a pdf", p12_key, trust)
    assert (err.code, str(err)) == ("not_pdf", "Tệp không phải là tệp PDF hợp lệ.")


def test_truncated_pdf(receipt, p12_key, trust):
    assert refusal(receipt[:400], p12_key, trust).code == "pdf_unreadable"


def test_pdf_changed_after_an_earlier_signature(receipt, p12_key, trust):
    signed = sign_pdf(receipt, p12_key, trust)
    for changed in (flip_signed_byte(signed), add_content(signed)):
        err = refusal(changed, p12_key, trust)
        assert err.code == "pdf_already_modified"
        assert str(err).startswith("Tệp PDF đã bị sửa đổi sau khi ký")


def test_token_not_present(receipt, softhsm: Token, trust):
    err = refusal(receipt, softhsm.key(token="token-cua-ong-khoi"), trust)
    assert (err.code, str(err)) == (
        "token_not_found", 'Không tìm thấy thiết bị ký số (token) "token-cua-ong-khoi": hãy cắm token và thử lại.')


def test_wrong_pin(receipt, softhsm: Token, trust):
    assert refusal(receipt, softhsm.key(pin="000000"), trust).code == "token_login_failed"


def test_key_not_on_the_token(receipt, softhsm: Token, trust):
    err = refusal(receipt, softhsm.key(label="khoa-khac"), trust)
    assert (err.code, str(err)) == ("token_key_not_found", 'Trên thiết bị ký số không có khóa "khoa-khac".')


def test_module_missing(receipt, trust):
    from signing.keys import Pkcs11Key

    err = refusal(receipt, Pkcs11Key("/khong/co/libtoken.so", "t", "k", "1"), trust)
    assert err.code == "token_module_missing"


def test_timestamp_server_not_answering(receipt, p12_key, trust):
    with pytest.raises(SigningError) as caught:
        sign_pdf(receipt, p12_key, trust, tsa_url="http://127.0.0.1:9/tsa")  # nothing listens on port 9
    assert caught.value.code == "timestamp_failed"
    assert str(caught.value).startswith("Không lấy được dấu thời gian từ máy chủ http://127.0.0.1:9/tsa")
