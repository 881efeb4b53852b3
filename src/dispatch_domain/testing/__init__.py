"""In-memory fakes of every port, shipped so other services can test against them too."""

from dispatch_domain.testing.backend import FakeBackend
from dispatch_domain.testing.clock import FakeClock
from dispatch_domain.testing.events import (
    FakeEventSender,
    InMemoryEventLog,
    InMemorySubscriberRepository,
)
from dispatch_domain.testing.gateway import (
    FakeDownloaderService,
    FakeGateway,
    fake_hash,
    rejecting,
)
from dispatch_domain.testing.services import InMemoryServiceRepository
from dispatch_domain.testing.state import InMemoryState
from dispatch_domain.testing.store import (
    InMemoryDownloadRepository,
    InMemoryLinkRepository,
    InMemoryStore,
)
from dispatch_domain.testing.subscriptions import (
    FakeFeedReader,
    InMemorySubscriptionRepository,
    PlainTitlePatterns,
)

__all__ = [
    "FakeBackend",
    "FakeClock",
    "FakeDownloaderService",
    "FakeEventSender",
    "FakeFeedReader",
    "FakeGateway",
    "InMemoryDownloadRepository",
    "InMemoryEventLog",
    "InMemoryLinkRepository",
    "InMemoryServiceRepository",
    "InMemoryState",
    "InMemoryStore",
    "InMemorySubscriberRepository",
    "InMemorySubscriptionRepository",
    "PlainTitlePatterns",
    "fake_hash",
    "rejecting",
]
