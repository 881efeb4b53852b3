-- Undo 0004: no more events or subscribers.
DROP VIEW event_views;
DROP TABLE event_subscribers;
DROP TABLE events;
