-- Undo 0001: drop everything it created, dependents first.
DROP VIEW service_module_views;
DROP VIEW download_views;
DROP TABLE downloads;
DROP TABLE anime_links;
DROP TABLE raw_fetcher_items;
DROP TABLE fetcher_reports;
DROP TABLE downloader_capabilities;
DROP TABLE service_modules;
