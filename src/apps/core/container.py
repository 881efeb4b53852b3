"""Core's dependency-injector container: adapters chosen once, overridden by tests."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.delivery import AppriseSender, SenderByKind, WebhookSender
from adapters.feeds import HttpFeedReader, RegexTitlePatterns
from adapters.http_downloader import HttpDownloaderGateway
from adapters.postgres import PostgresStore
from apps.core import resources
from apps.core.delivery import DeliveryLoop
from apps.core.journal import JournaledDownloads
from apps.core.loops import DispatchLoop, PollLoop
from apps.core.metrics import CoreMetrics, MeteredFeedReader, MeteredGateway, MeteredSender
from apps.core.reachability import ReachabilityLog
from apps.core.settings import CoreSettings
from apps.core.subscription_loop import SubscriptionLoop
from dispatch_domain.clock import SystemClock
from dispatch_domain.detection import DEFAULT_CHAIN
from dispatch_domain.services.delivery import Deliverer
from dispatch_domain.services.dispatch import Dispatcher
from dispatch_domain.services.following import Follower
from dispatch_domain.services.polling import Poller


class CoreContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=CoreSettings)

    clock = providers.Singleton(SystemClock)
    detectors = providers.Object(DEFAULT_CHAIN)

    database_url = providers.Resource(
        resources.database, url=settings.provided.database_url, data_dir=settings.provided.data_dir
    )
    pool = providers.Resource(
        resources.pool, url=database_url, timeout=settings.provided.database_timeout
    )
    store = providers.Singleton(PostgresStore, pool)
    loop_services = providers.Singleton(ReachabilityLog, store.provided.services)

    http_client = providers.Resource(
        resources.http_client, timeout=settings.provided.downloader_timeout
    )
    gateway = providers.Singleton(
        HttpDownloaderGateway, client=http_client, token=settings.provided.downloader_token
    )

    metrics = providers.Singleton(CoreMetrics)  # one registry per container, so per app
    metered_gateway = providers.Singleton(MeteredGateway, inner=gateway, metrics=metrics)

    # What the loops write through: every status change logged, naming its download.
    journaled_downloads = providers.Singleton(JournaledDownloads, store.provided.downloads)

    dispatcher = providers.Singleton(
        Dispatcher,
        downloads=journaled_downloads,
        services=loop_services,
        gateway=metered_gateway,
        clock=clock,
        batch_size=settings.provided.dispatch_batch,
        lease=settings.provided.lease,
    )
    poller = providers.Singleton(
        Poller,
        downloads=journaled_downloads,
        services=loop_services,
        gateway=gateway,
        clock=clock,
        claim_for=settings.provided.poll_claim,
        stalls=settings.provided.stall_rule,
        max_attempts=settings.provided.max_attempts,
    )
    poll_loop = providers.Singleton(
        PollLoop,
        poller=poller,
        interval=settings.provided.poll_interval,
        idle_interval=settings.provided.idle_poll_wait,
        soon=settings.provided.poll_soon_after_dispatch,
        observe=metrics.provided.poll_cycle,
    )
    dispatch_loop = providers.Singleton(
        DispatchLoop,
        dispatcher=dispatcher,
        sweep_interval=settings.provided.sweep_interval,
        poll_loop=poll_loop,
        observe=metrics.provided.dispatch_round,
    )

    # Subscriptions: a feed client of its own (its own timeout, no downloader token).
    feed_client = providers.Resource(resources.feed_client)
    feed_reader = providers.Singleton(
        HttpFeedReader, client=feed_client, timeout=settings.provided.feed_timeout
    )
    metered_feed_reader = providers.Singleton(MeteredFeedReader, inner=feed_reader, metrics=metrics)
    title_patterns = providers.Singleton(RegexTitlePatterns)
    follower = providers.Singleton(
        Follower,
        subscriptions=store.provided.subscriptions,
        links=store.provided.links,
        reader=metered_feed_reader,
        patterns=title_patterns,
        clock=clock,
        chain=detectors,
    )
    subscription_loop = providers.Singleton(
        SubscriptionLoop,
        follower=follower,
        dispatch_loop=dispatch_loop,
        interval=settings.provided.subscription_sweep,
    )

    webhook_client = providers.Resource(
        resources.http_client, timeout=settings.provided.webhook_timeout
    )
    event_sender = providers.Singleton(
        SenderByKind,
        webhook=providers.Singleton(WebhookSender, client=webhook_client),
        apprise=providers.Singleton(AppriseSender),
    )
    metered_sender = providers.Singleton(MeteredSender, inner=event_sender, metrics=metrics)
    deliverer = providers.Singleton(
        Deliverer,
        subscribers=store.provided.subscribers,
        sender=metered_sender,
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
        observe=metrics.provided.delivery_round,
    )
