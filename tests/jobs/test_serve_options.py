"""`quytrinh serve`'s gunicorn settings: what docs/deploy.md tells an operator to set really applies."""

from __future__ import annotations

from typing import Any

from flask import Flask

from cli.serve import Gunicorn, gunicorn_options


def _settings(monkeypatch, cmd_args: str | None) -> Any:
    if cmd_args is None:
        monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_CMD_ARGS", cmd_args)
    return Gunicorn(lambda: Flask(__name__), gunicorn_options("127.0.0.1", 5999, 2, 4, 120)).cfg


def test_gunicorn_cmd_args_caps_the_connections_a_worker_takes(monkeypatch):
    cfg = _settings(monkeypatch, "--worker-connections 5 --keep-alive 7")
    assert (cfg.worker_connections, cfg.keepalive) == (5, 7)
    assert (cfg.workers, cfg.threads, cfg.bind) == (2, 4, ["127.0.0.1:5999"]), "quytrinh's own options stay"


def test_without_it_quytrinh_options_and_gunicorn_defaults_apply(monkeypatch):
    cfg = _settings(monkeypatch, None)
    assert (cfg.workers, cfg.threads, cfg.worker_class_str, cfg.worker_connections) == (2, 4, "gthread", 1000)


def test_no_control_socket_shared_with_other_servers_of_the_same_user(monkeypatch):
    assert _settings(monkeypatch, None).control_socket_disable
