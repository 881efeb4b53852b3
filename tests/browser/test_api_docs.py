"""The API docs render their operations from files the services ship; nothing is fetched outside."""

from __future__ import annotations

import pytest
from dependency_injector import providers
from playwright.async_api import Browser, expect

from apps.downloader.app import create_app
from apps.downloader.container import make_container
from apps.downloader.settings import ServiceSettings
from dispatch_domain.testing.backend import FakeBackend
from tests.support.browser import tab
from tests.support.core import running_core
from tests.support.serving import serving

pytestmark = pytest.mark.real


async def test_cores_swagger_page_lists_its_operations_offline(
    pg_url: str, browser: Browser
) -> None:
    async with running_core(pg_url) as core, tab(browser) as t:
        await t.page.goto(core.url + "/schema/swagger")

        await expect(
            t.page.locator(".opblock-summary-path[data-path='/downloads/cancel']")
        ).to_be_visible()
        await expect(
            t.page.locator(".opblock-summary-path[data-path='/services/register']")
        ).to_be_visible()
        await expect(t.page.get_by_role("button", name="Authorize")).to_be_visible()
        assert f"{core.url}/static/swagger-ui/swagger-ui-bundle.js" in t.requests
        assert t.foreign(core.url) == []


async def test_the_downloader_services_swagger_page_lists_its_operations_offline(
    browser: Browser,
) -> None:
    container = make_container(ServiceSettings(name="fake-qbt"))
    container.backend.override(providers.Object(FakeBackend()))
    async with serving(create_app(container)) as url, tab(browser) as t:
        await t.page.goto(url + "/schema/swagger")

        await expect(
            t.page.locator(".opblock-summary-path[data-path='/downloads/cancel']")
        ).to_be_visible()
        await expect(t.page.locator(".opblock-summary-path[data-path='/health']")).to_be_visible()
        await expect(t.page.get_by_role("button", name="Authorize")).to_be_visible()
        assert f"{url}/static/swagger-ui/swagger-ui-bundle.js" in t.requests
        assert t.foreign(url) == []
