"""The OpenAPI document and the interactive docs, served without the internet."""

from __future__ import annotations

import re

from django.test import Client


def test_it_serves_the_openapi_document(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in document["paths"]
    assert "post" in document["paths"]["/api/v1/auth/token"]
    assert "delete" in document["paths"]["/api/v1/auth/token"]
    assert document["components"]["securitySchemes"]


def test_it_renders_the_docs_with_local_assets_only(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by Tirek"
    for asset in assets:
        if asset.startswith("/static/"):
            assert Client().get(asset).status_code == 200, asset
