"""The reports surface over HTTP on a real gateway: who may read it, its JSON, its CSVs and its errors."""

from __future__ import annotations

import csv
import io

import jsonschema

from crm_store import clock
from crm_store.db import unit_of_work
from handoff.api_description import description
from tests.crm_store.report_fixture import NOW, seed_week
from tests.handoff.gateway import add_staff, cookie_session, running_gateway
from tests.staff_client import Agent

WEEK = "from=2026-11-02&to=2026-11-08"


async def test_a_lead_reads_the_weeks_figures_and_each_table_as_csv(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        await seed_week(session)
    await add_staff(sessions, "lou", role="lead")
    with clock.using(clock.FixedClock(NOW)):
        async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
            lead = Agent(http, gateway.base_url)
            login = await lead.login("lou")
            assert login.headers["Location"] == "/reports/", "a lead's home is the reports page"
            async with http.get(f"{gateway.base_url}/reports/api/report?{WEEK}") as response:
                assert response.status == 200
                report = await response.json()
            # As handoff/openapi.yaml describes it (tests/e2e/test_api_schema.py fuzzes the rest).
            jsonschema.validate(report, {"$ref": "#/components/schemas/Report", **description()})
            # The figures of tests/crm_store/test_reports.py, through the page's JSON.
            assert report["range"] == {
                "from": "2026-11-02", "to": "2026-11-08", "zone": "America/New_York", "channel": "", "tier": "",
            }  # fmt: skip
            headline = report["headline"]
            assert (headline["conversations"], headline["containment_percent"]) == (8, 28.6)  # 2 of 7
            assert (headline["tickets"], headline["resolved"], headline["reopened"]) == (5, 4, 1)
            assert headline["sla_met_percent"] == 20  # 1 met of 5 met or breached
            assert headline["csat_average"] == 3.8  # (5 + 4 + 4 + 2) / 4 = 3.75
            assert report["charts"]["outcomes"] == {"contained": 2, "escalated": 3, "gave_up": 2, "ongoing": 1}
            tables = {table["name"]: table for table in report["tables"]}
            assert tables["response_times"]["rows"] == [
                ["bot first response", 8, 3.5, 10],
                ["human first response", 4, 14490, 36300],
                ["time to resolution", 4, 15660, 37740],
            ]
            for name, table in tables.items():
                async with http.get(f"{gateway.base_url}/reports/export.csv?table={name}&{WEEK}") as response:
                    assert response.status == 200 and response.content_type == "text/csv"
                    assert f"deskbot-{name}-2026-11-02-to-2026-11-08.csv" in response.headers["Content-Disposition"]
                    rows = list(csv.reader(io.StringIO(await response.text())))
                assert rows == [table["columns"], *[[str(value) for value in row] for row in table["rows"]]], name
            async with http.get(f"{gateway.base_url}/console/api/queue") as response:
                assert response.status == 403, "a lead reads reports; the queue is for agents"


async def test_bad_filters_are_400s_that_name_the_field(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "ari", role="admin")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        await Agent(http, gateway.base_url).login("ari")
        for query, field in [
            ("from=2026-13-01", "from must be a date like 2026-11-02"),
            ("to=yesterday", "to must be a date"),
            ("from=2026-11-08&to=2026-11-02", "to (2026-11-02) must not be before from (2026-11-08)"),
            ("from=2020-01-01&to=2026-01-01", "at most 366 days"),
            ("to=9999-12-31", "to must be a date between"),
            ("channel=fax", "channel must be one of web, telegram"),
            ("tier=platinum", "tier must be one of standard, silver, gold, vip, anonymous"),
        ]:
            async with http.get(f"{gateway.base_url}/reports/api/report?{query}") as response:
                assert response.status == 400, query
                body = await response.json()
            assert body["error"] == "invalid_message" and field in body["message"], (query, body)
        async with http.get(f"{gateway.base_url}/reports/export.csv?table=nope") as response:
            assert response.status == 400
            assert "table must be one of outcomes," in (await response.json())["message"]


async def test_agents_and_trainers_cannot_read_reports(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        await Agent(http, gateway.base_url).login("alex")
        async with http.get(f"{gateway.base_url}/reports/api/report") as response:
            assert response.status == 403
        async with http.get(f"{gateway.base_url}/reports/", allow_redirects=False) as response:
            assert (response.status, response.headers["Location"]) == (302, "/console/")
    async with (
        running_gateway(database_url, tmp_path) as gateway,
        cookie_session() as http,
        http.get(f"{gateway.base_url}/reports/export.csv?table=outcomes") as response,
    ):
        assert response.status == 401, "signed out"


def test_a_cell_a_spreadsheet_would_run_is_quoted() -> None:
    from handoff.reports.views import as_csv

    assert (
        as_csv(["question"], [["=HYPERLINK(1)"], ["-2"], ["fine"]]) == "question\r\n'=HYPERLINK(1)\r\n'-2\r\nfine\r\n"
    )
