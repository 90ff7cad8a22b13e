"""The JSON API (OpenAPI schema at /api/openapi.json, docs at /api/docs)."""
