"""ServiceRepository contract: registration upserts, operator settings, health and poll claims."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch_domain import Capabilities, Health, NotFound, Registration, ServicePatch
from dispatch_domain.errors import Conflict
from dispatch_domain.status import DownloadEvent
from dispatch_domain.vocabulary import DownloadType, ServiceType
from tests.contract.conftest import NOW

E = DownloadEvent
T = DownloadType
MAGNET_AND_TORRENT = Capabilities(frozenset({T.MAGNET, T.TORRENT}), download_endpoint="/dl")


def downloader(name: str = "qbit", host: str = "10.0.0.2", port: int = 8081, **kw) -> Registration:
    kw.setdefault("capabilities", MAGNET_AND_TORRENT)
    return Registration(ServiceType.DOWNLOADER, name, host, port, **kw)


# register


async def test_a_new_service_is_created_with_default_priority_and_enabled(store):
    registered = await store.services.register(downloader(), NOW)

    module = registered.module
    assert (registered.created, registered.previous_address) == (True, None)
    assert (module.service_type, module.service_name) == (ServiceType.DOWNLOADER, "qbit")
    assert (module.host, module.port, module.base_url) == ("10.0.0.2", 8081, "http://10.0.0.2:8081")
    assert module.capabilities == MAGNET_AND_TORRENT
    assert (module.priority, module.is_enabled, module.health) == (50, True, Health(last_seen=NOW))
    assert module.registered_at == module.updated_at == NOW
    assert await store.services.get(module.module_id) == module


async def test_a_new_service_takes_the_priority_it_asks_for(store):
    registered = await store.services.register(downloader(priority=80), NOW)

    assert registered.module.priority == 80


async def test_re_registering_keeps_the_operators_priority_and_enabled_flag(store, given):
    first = (await store.services.register(downloader(priority=10), NOW)).module
    await store.services.update(first.module_id, ServicePatch(priority=90, is_enabled=False), NOW)
    fetch_only = Capabilities(frozenset({T.HTTP}), sync_endpoint="/sync")

    again = await store.services.register(
        downloader(priority=20, port=9000, capabilities=fetch_only), given.later(minutes=1)
    )

    module = again.module
    assert (again.created, module.module_id) == (False, first.module_id)
    assert (module.priority, module.is_enabled) == (90, False)
    assert (module.port, module.capabilities) == (9000, fetch_only)
    assert (module.registered_at, module.updated_at) == (NOW, given.later(minutes=1))
    assert await store.services.get(first.module_id) == module


async def test_re_registering_with_no_download_types_clears_them(store):
    await store.services.register(downloader(), NOW)

    again = await store.services.register(downloader(capabilities=Capabilities()), NOW)

    assert again.module.capabilities.supported_download_types == frozenset()
    assert (await store.services.downloaders())[0].download_types == frozenset()


async def test_registering_ends_the_back_off_and_keeps_the_last_error(store):
    module = (await store.services.register(downloader(), NOW)).module
    assert module.health == Health(last_seen=NOW)
    down = Health().down(NOW, "connection refused")
    await store.services.save_health({module.module_id: down}, NOW)

    later = NOW + timedelta(seconds=5)
    again = await store.services.register(downloader(), later)

    assert again.module.health == Health(last_seen=later, last_error="connection refused")


@pytest.mark.parametrize(
    ("host", "port", "previous"),
    [
        ("10.0.0.2", 8081, None),
        ("10.0.0.9", 8081, "http://10.0.0.2:8081"),
        ("10.0.0.2", 9090, "http://10.0.0.2:8081"),
    ],
    ids=["same", "new-host", "new-port"],
)
async def test_re_registering_from_a_new_address_reports_the_old_one(store, host, port, previous):
    await store.services.register(downloader(), NOW)

    again = await store.services.register(downloader(host=host, port=port), NOW)

    assert again.previous_address == previous


async def test_an_ipv6_address_is_reported_in_brackets(store):
    await store.services.register(downloader(host="::1"), NOW)

    again = await store.services.register(downloader(host="::2"), NOW)

    assert again.previous_address == "http://[::1]:8081"
    assert again.module.base_url == "http://[::2]:8081"


# downloaders, modules, get


async def test_downloaders_are_the_enabled_downloaders_in_id_order(store, given):
    fetcher = Registration(ServiceType.FETCHER, "rss", "10.0.0.5", 80)
    await store.services.register(fetcher, NOW)
    b = (await store.services.register(downloader("b", priority=70), NOW)).module
    off = (await store.services.register(downloader("off"), NOW)).module
    await store.services.update(off.module_id, ServicePatch(is_enabled=False), NOW)
    a = (await store.services.register(downloader("a"), NOW)).module

    found = await store.services.downloaders()

    assert [d.name for d in found] == ["b", "a"]
    assert found[0] == b.as_downloader()
    assert found[1].download_types == frozenset({T.MAGNET, T.TORRENT})
    assert found[1].module_id == a.module_id


async def test_modules_lists_every_service_or_one_type(store):
    fetcher = await store.services.register(Registration(ServiceType.FETCHER, "rss", "h", 1), NOW)
    qbit = await store.services.register(downloader(), NOW)

    everything = await store.services.modules()
    fetchers = await store.services.modules(ServiceType.FETCHER)

    assert everything == [fetcher.module, qbit.module]
    assert fetchers == [fetcher.module]
    assert await store.services.modules(ServiceType.VIEWER) == []


async def test_getting_or_updating_an_unknown_service_raises_not_found(store):
    with pytest.raises(NotFound):
        await store.services.get(424_242)
    with pytest.raises(NotFound):
        await store.services.update(424_242, ServicePatch(priority=1), NOW)


async def test_an_update_changes_only_what_the_patch_gives(store, given):
    module = (await store.services.register(downloader(priority=30), NOW)).module

    updated = await store.services.update(
        module.module_id, ServicePatch(is_enabled=False), given.later(seconds=9)
    )

    assert (updated.priority, updated.is_enabled) == (30, False)
    assert updated.updated_at == given.later(seconds=9)
    assert await store.services.get(module.module_id) == updated


# save_health


async def test_health_round_trips_and_unknown_modules_are_ignored(store, given):
    module = (await store.services.register(downloader(), NOW)).module
    health = Health(3, given.later(minutes=15), given.later(minutes=-1), "timed out")

    await store.services.save_health({module.module_id: health, 424_242: Health(1)}, NOW)
    await store.services.save_health({}, NOW)

    assert (await store.services.get(module.module_id)).health == health
    assert (await store.services.downloaders())[0].health == health


# claim_polls


async def test_claims_only_downloaders_with_downloads_to_follow(store, given):
    busy = await given.downloader("busy")
    unreachable = await given.downloader("unreachable", host="10.0.0.3")
    idle = await given.downloader("idle", host="10.0.0.4")
    await given.at_downloader(busy)
    await given.move(await given.at_downloader(unreachable, "cd" * 20), E.POLL_UNREACHABLE)
    done = await given.at_downloader(idle, "ef" * 20)
    await given.move(done, E.REPORTED_COMPLETED)

    claimed = await store.services.claim_polls(NOW, given.later(seconds=30))

    assert [d.name for d in claimed] == ["busy", "unreachable"]
    assert claimed[0] == busy.as_downloader()


async def test_a_claimed_downloader_is_not_claimed_again_until_the_claim_ends(store, given):
    module = await given.downloader()
    await given.at_downloader(module)
    until = given.later(seconds=30)
    await store.services.claim_polls(NOW, until)

    early = until - timedelta(seconds=1)
    assert await store.services.claim_polls(early, given.later(minutes=1)) == []
    assert [d.module_id for d in await store.services.claim_polls(until, until)] == [
        module.module_id
    ]


async def test_a_released_claim_lets_the_next_poll_take_the_downloader_at_once(store, given):
    module = await given.downloader()
    await given.at_downloader(module)
    await store.services.claim_polls(NOW, given.later(minutes=1))
    assert await store.services.claim_polls(NOW, given.later(minutes=1)) == []

    await store.services.release_polls([module.module_id])

    claimed = await store.services.claim_polls(NOW, given.later(minutes=1))
    assert [d.module_id for d in claimed] == [module.module_id]


async def test_a_disabled_downloader_is_not_polled(store, given):
    module = await given.downloader()
    await given.at_downloader(module)
    await store.services.update(module.module_id, ServicePatch(is_enabled=False), NOW)

    assert await store.services.claim_polls(NOW, given.later(seconds=30)) == []


# delete


async def test_deleting_a_service_forgets_it_and_keeps_its_finished_downloads(store, given):
    module = await given.downloader("old-qbit")
    finished = await given.at_downloader(module)
    await given.move(finished, E.REPORTED_COMPLETED)

    await store.services.delete(module.module_id)

    assert await store.services.modules() == []
    with pytest.raises(NotFound):
        await store.services.get(module.module_id)
    view = await store.downloads.get(finished)
    assert (view.status.value, view.module_id) == ("completed", None)


async def test_a_service_with_an_active_download_is_not_deleted(store, given):
    module = await given.downloader("busy-qbit")
    await given.at_downloader(module)

    with pytest.raises(Conflict, match="active downloads"):
        await store.services.delete(module.module_id)

    assert await store.services.get(module.module_id) == module


async def test_deleting_an_unknown_service_is_not_found(store):
    with pytest.raises(NotFound):
        await store.services.delete(424242)
