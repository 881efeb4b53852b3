"""The fake download client reports the details real ones do: bytes, speed, time left, peers,
seeds, its own word for the state and whether a magnet has its metadata."""

from __future__ import annotations

from dispatch_domain.answers import AddRequest, RemoteStatus
from dispatch_domain.testing.backend import FakeBackend
from dispatch_domain.vocabulary import RemoteState

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{HASH}"


async def test_a_download_under_way_reports_bytes_speed_eta_peers_and_seeds() -> None:
    backend = FakeBackend()
    await backend.add([AddRequest(MAGNET)])
    backend.set_progress(HASH, 0.25, size=4000)
    backend.set_transfer(HASH, speed=100, peers=5, seeds=2)

    (status,) = await backend.statuses([HASH])

    assert (status.downloaded, status.download_speed, status.eta) == (1000, 100, 30)
    assert (status.peers, status.seeds) == (5, 2)
    assert (status.client_state, status.has_metadata) == ("downloading", True)


async def test_a_magnet_waiting_for_metadata_knows_no_size_bytes_or_time_left() -> None:
    backend = FakeBackend()
    await backend.add([AddRequest(MAGNET)])
    backend.set_transfer(HASH, has_metadata=False)

    (status,) = await backend.statuses([HASH])

    assert status == RemoteStatus(
        HASH,
        RemoteState.DOWNLOADING,
        name=HASH,
        download_speed=0,
        peers=0,
        seeds=0,
        client_state="downloading",
        has_metadata=False,
    )
