"""Core's dependency-injector container: adapters chosen once, overridden by tests."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.delivery import AppriseSender, SenderByKind, WebhookSender
from adapters.http_downloader import HttpDownloaderGateway
from adapters.postgres import PostgresStore
from apps.core import resources
from apps.core.delivery import DeliveryLoop
from apps.core.loops import DispatchLoop, PollLoop
from apps.core.settings import CoreSettings
from dispatch_domain.clock import SystemClock
from dispatch_domain.detection import DEFAULT_CHAIN
from dispatch_domain.services.delivery import Deliverer
from dispatch_domain.services.dispatch import Dispatcher
from dispatch_domain.services.polling import Poller


class CoreContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=CoreSettings)

    clock = providers.Singleton(SystemClock)
    detectors = providers.Object(DEFAULT_CHAIN)

    database_url = providers.Resource(
        resources.database, url=settings.provided.database_url, data_dir=settings.provided.data_dir
    )
    pool = providers.Resource(resources.pool, url=database_url)
    store = providers.Singleton(PostgresStore, pool)

    http_client = providers.Resource(
        resources.http_client, timeout=settings.provided.downloader_timeout
    )
    gateway = providers.Singleton(
        HttpDownloaderGateway, client=http_client, token=settings.provided.downloader_token
    )

    dispatcher = providers.Singleton(
        Dispatcher,
        downloads=store.provided.downloads,
        services=store.provided.services,
        gateway=gateway,
        clock=clock,
        batch_size=settings.provided.dispatch_batch,
        lease=settings.provided.lease,
    )
    poller = providers.Singleton(
        Poller,
        downloads=store.provided.downloads,
        services=store.provided.services,
        gateway=gateway,
        clock=clock,
        claim_for=settings.provided.poll_claim,
    )
    poll_loop = providers.Singleton(
        PollLoop,
        poller=poller,
        interval=settings.provided.poll_interval,
        soon=settings.provided.poll_soon_after_dispatch,
    )
    dispatch_loop = providers.Singleton(
        DispatchLoop,
        dispatcher=dispatcher,
        sweep_interval=settings.provided.sweep_interval,
        poll_loop=poll_loop,
    )

    webhook_client = providers.Resource(
        resources.http_client, timeout=settings.provided.webhook_timeout
    )
    event_sender = providers.Singleton(
        SenderByKind,
        webhook=providers.Singleton(WebhookSender, client=webhook_client),
        apprise=providers.Singleton(AppriseSender),
    )
    deliverer = providers.Singleton(
        Deliverer,
        subscribers=store.provided.subscribers,
        sender=event_sender,
        clock=clock,
        lease=providers.Factory(timedelta, seconds=settings.provided.delivery_lease),
    )
    delivery_loop = providers.Singleton(
        DeliveryLoop,
        deliverer=deliverer,
        events=store.provided.events,
        clock=clock,
        interval=settings.provided.delivery_interval,
        retention=settings.provided.event_retention,
    )
