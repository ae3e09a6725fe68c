"""The security matrix's rows for the administration pages and API (issue 12): administrators only (none of
the probing kinds is one); one's own account: anyone logged in. Kept apart so the matrix reads by area."""

from __future__ import annotations


def administration_rows(logged_in: str, deny: set[int]) -> dict[tuple[str, str], tuple]:
    """(method, rule) → (path, body, kinds allowed, refusal statuses), as in test_security_matrix.MATRIX."""
    L, DENY = logged_in, deny  # noqa: N806 - the matrix's own short names
    return {
        # administration (issue 12): administrators only (none of these kinds); one's own account: anyone logged in
        ("GET", "/admin/users"): ("/admin/users", None, set(), DENY),
        ("POST", "/admin/users"): ("/admin/users", {"username": "nv.moi", "full_name": "Nguyễn Văn Mới"}, set(), DENY),
        ("POST", "/admin/users/<username>/<action>"): ("/admin/users/motcua2/deactivate", {}, set(), DENY),
        ("GET", "/admin/roles"): ("/admin/roles", None, set(), DENY),
        ("POST", "/admin/roles"): ("/admin/roles", {"code": "r_moi", "name": "Mới"}, set(), DENY),
        ("POST", "/admin/roles/<code>/<action>"): ("/admin/roles/van_thu/retire", {}, set(), DENY),
        ("GET", "/admin/history"): ("/admin/history", None, set(), DENY),
        ("GET", "/admin/states"): ("/admin/states", None, set(), DENY),
        ("GET", "/admin/units"): ("/admin/units", None, set(), DENY),
        ("GET", "/admin/delegations"): ("/admin/delegations", None, set(), DENY),
        ("GET", "/admin/import"): ("/admin/import", None, set(), DENY),
        ("POST", "/admin/import"): ("/admin/import", {}, set(), DENY),
        ("GET", "/account"): ("/account", None, L, DENY),
        ("POST", "/account/password"): ("/account/password", {"current": "x", "new": "y", "again": "y"}, L, DENY),
        ("POST", "/account/tokens/<int:token_id>/revoke"): ("/account/tokens/1/revoke", {}, L, DENY),
        # administration API (web/api/admin_api.py, admin_records_api.py): administrators only (none of USERS is one)
        ("GET", "/api/admin/roles"): ("/api/admin/roles", None, set(), DENY),
        ("POST", "/api/admin/roles"): ("/api/admin/roles", ("json", {"code": "r_moi", "name": "Mới"}), set(), DENY),
        ("POST", "/api/admin/roles/<code>/rename"): ("/api/admin/roles/van_thu/rename", ("json", {"name": "Văn thư"}),
                                                     set(), DENY),
        ("POST", "/api/admin/roles/<code>/retire"): ("/api/admin/roles/van_thu/retire", ("json", {}), set(), DENY),
        ("GET", "/api/admin/users"): ("/api/admin/users", None, set(), DENY),
        ("POST", "/api/admin/users"): ("/api/admin/users", ("json", {"username": "nv.moi",
                                                                      "full_name": "Nguyễn Văn Mới"}), set(), DENY),
        ("GET", "/api/admin/users/<username>"): ("/api/admin/users/motcua2", None, set(), DENY),
        ("PATCH", "/api/admin/users/<username>"): ("/api/admin/users/motcua2", ("json", {"full_name": "Tên mới"}),
                                                   set(), DENY),
        ("POST", "/api/admin/users/<username>/deactivate"): ("/api/admin/users/motcua2/deactivate", ("json", {}), set(),
                                                             DENY),
        ("POST", "/api/admin/users/<username>/reactivate"): ("/api/admin/users/motcua2/reactivate", ("json", {}), set(),
                                                             DENY),
        ("POST", "/api/admin/users/<username>/reset-password"): ("/api/admin/users/motcua2/reset-password",
                                                                 ("json", {}), set(), DENY),
        ("POST", "/api/admin/memberships"): ("/api/admin/memberships", ("json", {
            "username": "motcua2", "role": "van_thu", "unit": "H01.VP"}), set(), DENY),
        ("POST", "/api/admin/memberships/revoke"): ("/api/admin/memberships/revoke", ("json", {
            "username": "motcua2", "role": "mot_cua", "unit": "H01.MC"}), set(), DENY),
        ("GET", "/api/admin/units"): ("/api/admin/units", None, set(), DENY),
        ("GET", "/api/admin/delegations"): ("/api/admin/delegations", None, set(), DENY),
        ("GET", "/api/admin/tokens"): ("/api/admin/tokens", None, set(), DENY),
        ("POST", "/api/admin/tokens"): ("/api/admin/tokens", ("json", {"username": "motcua2"}), set(), DENY),
        ("POST", "/api/admin/tokens/<int:token_id>/revoke"): ("/api/admin/tokens/1/revoke", ("json", {}), set(), DENY),
        ("POST", "/api/admin/staff-import/preview"): ("/api/admin/staff-import/preview", ("json", {
            "filename": "ds.csv", "content_base64": ""}), set(), DENY),
        ("POST", "/api/admin/staff-import"): ("/api/admin/staff-import", ("json", {"filename": "ds.csv",
                                                                                 "content_base64": ""}), set(), DENY),
        ("GET", "/api/admin/history"): ("/api/admin/history", None, set(), DENY),
        ("GET", "/api/me/tokens"): ("/api/me/tokens", None, L, DENY),
        ("POST", "/api/me/tokens/<int:token_id>/revoke"): ("/api/me/tokens/1/revoke", ("json", {}), L, DENY),
        ("POST", "/api/me/password"): ("/api/me/password", ("json", {"current": "sai",
                                                                      "new": "một câu mật khẩu dài"}), L, DENY),
    }
