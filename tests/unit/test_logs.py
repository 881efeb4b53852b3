"""One log format for every command: text or JSON lines, naming the download a line is about."""

from __future__ import annotations

import json

from tests.support.logs import log_lines


def test_a_json_line_carries_time_level_logger_message_and_the_ids() -> None:
    (line,) = log_lines(
        "json",
        lambda log: log.warning(
            "download %d failed: %s", 17, "rejected", extra={"download_id": 17, "module_id": 3,
                                                            "service_name": "qb"}
        ),
    )  # fmt: skip

    record = json.loads(line)

    assert record["ts"].endswith("+00:00")
    assert {k: v for k, v in record.items() if k != "ts"} == {
        "level": "WARNING",
        "logger": "bangumi_dispatch.test",
        "msg": "download 17 failed: rejected",
        "download_id": 17,
        "module_id": 3,
        "service_name": "qb",
    }


def test_a_json_line_without_ids_has_just_the_four_fields() -> None:
    (line,) = log_lines("json", lambda log: log.info("started"))

    assert sorted(json.loads(line)) == ["level", "logger", "msg", "ts"]


def test_a_text_line_names_the_ids_after_the_message() -> None:
    (line,) = log_lines(
        "text", lambda log: log.info("accepted", extra={"download_id": 5, "service_name": "qb"})
    )

    assert line.endswith(" INFO bangumi_dispatch.test: accepted [download_id=5 service_name=qb]")


def test_a_json_failure_keeps_its_traceback_in_one_line() -> None:
    def fail(log):  # type: ignore[no-untyped-def]
        try:
            raise ValueError("broken")
        except ValueError:
            log.exception("round failed")

    (line,) = log_lines("json", fail)
    record = json.loads(line)

    assert record["msg"] == "round failed"
    assert "ValueError: broken" in record["exc"]


def test_the_http_servers_lines_take_the_same_format() -> None:
    def serve(log):  # type: ignore[no-untyped-def]
        import logging

        logging.getLogger("uvicorn.error").info("Application startup complete.")
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/health", "1.1", 200
        )

    lines = [json.loads(line) for line in log_lines("json", serve)]

    assert [(r["logger"], r["msg"]) for r in lines] == [
        ("uvicorn.error", "Application startup complete."),
        ("uvicorn.access", '127.0.0.1:5000 - "GET /health HTTP/1.1" 200'),
    ]
