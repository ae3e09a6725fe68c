"""The JSON API: every action of the pages, authenticated by session or Bearer token.

One blueprint per area (tasks_api, quality, workspace_api, personal_api, public_api), each registered by
web/blueprints.py; they share only bodies.py (JSON in) and the schemas (JSON out), never a page module.
"""
