"""The trainer's article API carries each article's Chinese version: shown, set, and kept by an edit of the
English text that leaves it out."""

from __future__ import annotations

from tests.e2e.test_learning import _trainer
from tests.handoff.gateway import add_staff, cookie_session, running_gateway
from tests.staff_client import Agent

ARTICLE = {
    "slug": "gift-wrap",
    "title": "Do you gift-wrap?",
    "category": "orders",
    "answer": "Yes: gift wrapping costs $4.95.",
    "questions": ["do you gift wrap"],
    "zh": {"title": "可以礼品包装吗？", "answer": "可以，礼品包装 $4.95。", "questions": ["能包装吗"]},
}


async def _call(trainer: Agent, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    headers = {"X-CSRF-Token": trainer.csrf}
    async with trainer.http.request(method, f"{trainer.base_url}/trainer/api{path}", json=body, headers=headers) as r:
        return r.status, await r.json()


async def test_the_chinese_version_is_shown_set_and_kept(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "tara", role="trainer")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        trainer = await _trainer(http, gateway.base_url, "tara")
        status, created = await _call(trainer, "POST", "/articles", ARTICLE)
        assert status == 201, created
        assert created["article"]["translations"]["zh"]["title"] == "可以礼品包装吗？"

        english_only = {key: value for key, value in ARTICLE.items() if key not in ("slug", "zh")}
        status, edited = await _call(trainer, "PUT", "/articles/gift-wrap", {**english_only, "answer": "Yes: $5."})
        assert status == 200 and edited["article"]["answer"] == "Yes: $5."
        assert edited["article"]["translations"]["zh"]["answer"] == "可以，礼品包装 $4.95。", "kept by the edit"

        zh = {"title": "可以礼品包装吗？", "answer": "可以，礼品包装 $5。", "questions": ["能包装吗"]}
        status, edited = await _call(trainer, "PUT", "/articles/gift-wrap", {**english_only, "zh": zh})
        assert status == 200 and edited["article"]["translations"]["zh"]["answer"] == "可以，礼品包装 $5。"

        status, refused = await _call(trainer, "PUT", "/articles/gift-wrap", {**english_only, "zh": {"title": "x"}})
        assert status == 400 and "zh.answer" in refused["message"], refused
