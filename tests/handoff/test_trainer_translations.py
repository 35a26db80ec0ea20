"""The trainer's article API carries each article's Chinese version: shown, set, kept by an edit of the English
text that leaves it out, removed by null; the list says which articles have one; the chat finds a new variant."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions import runtime as action_runtime
from actions.faq import ActionAnswerQuestion
from bot.signing import ENV_INTERNAL_SECRET
from crm_store.db import create_engine
from crm_store.settings import StoreSettings
from knowledge_base.search import KnowledgeBase
from knowledge_base.settings import KnowledgeBaseSettings
from tests.actions.trackers import TEST_SECRET, make_tracker
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
# Nothing in the article is about it (a made-up link, so only the edit can make it the answer): once a
# trainer adds it as a Chinese variant, the chat answers it with the article.
NEW_VARIANT = "你们的仓库在哪个城市"


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


async def test_the_list_says_which_articles_lack_chinese_and_null_removes_it(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "tara", role="trainer")
    async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
        trainer = await _trainer(http, gateway.base_url, "tara")
        assert (await _call(trainer, "POST", "/articles", ARTICLE))[0] == 201
        english_only = {key: value for key, value in ARTICLE.items() if key != "zh"}
        assert (await _call(trainer, "POST", "/articles", {**english_only, "slug": "store-hours"}))[0] == 201
        status, listed = await _call(trainer, "GET", "/articles")
        languages = {a["slug"]: a["languages"] for a in listed["articles"]}
        assert status == 200 and languages == {"gift-wrap": ["en", "zh"], "store-hours": ["en"]}

        english = {key: value for key, value in english_only.items() if key != "slug"}
        zh = {**ARTICLE["zh"], "questions": ["能包装吗", "礼物能包起来吗"]}
        status, edited = await _call(trainer, "PUT", "/articles/gift-wrap", {**english, "zh": zh, "base_version": 1})
        assert status == 200 and edited["article"]["version"] == 2
        status, removed = await _call(trainer, "PUT", "/articles/gift-wrap", {**english, "zh": None})
        assert status == 200 and removed["article"]["translations"] == {}, "null removes the Chinese version"
        status, listed = await _call(trainer, "GET", "/articles")
        assert [a["languages"] for a in listed["articles"] if a["slug"] == "gift-wrap"] == [["en"]]

        status, shown = await _call(trainer, "GET", "/articles/gift-wrap")
        summaries = [v["summary"] for v in shown["history"]]
        assert summaries == ["removed the Chinese version", "edited the Chinese version", "created"], summaries
        status, changes = await _call(trainer, "GET", "/articles/gift-wrap/diff?from=1&to=2")
        assert status == 200 and [c["field"] for c in changes["diff"]] == ["zh.questions"], changes
        assert {"op": "+", "text": "礼物能包起来吗"} in changes["diff"][0]["lines"]
        status, changes = await _call(trainer, "GET", "/articles/gift-wrap/diff?from=2&to=3")
        assert [c["field"] for c in changes["diff"]] == ["zh.title", "zh.answer", "zh.questions"]
        assert all(line["op"] == "-" for c in changes["diff"] for line in c["lines"]), "all of it removed"


async def _answered_in_chinese(question: str) -> str | None:
    """What the FAQ action answers a Chinese-speaking customer with: the article's slug, or None."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(question, "ask_faq", slots={"language": "zh"})
    events = await ActionAnswerQuestion().run(dispatcher, tracker, {})
    return next((e["value"] for e in events if e.get("name") == "article_slug" and e.get("value")), None)


async def test_a_chinese_variant_a_trainer_adds_answers_the_next_chinese_question(  # type: ignore[no-untyped-def]
    sessions, database_url, tmp_path, embedder, monkeypatch
) -> None:
    """The chat's own path: the FAQ action's Chinese search picks up the trainer's edit without a restart."""
    monkeypatch.setenv(ENV_INTERNAL_SECRET, TEST_SECRET)
    await add_staff(sessions, "tara", role="trainer")
    engine = create_engine(database_url)
    knowledge_base = KnowledgeBase.from_settings(sessions, embedder, KnowledgeBaseSettings())
    action_runtime.install(
        action_runtime.Runtime(StoreSettings(database_url=database_url), engine, sessions, knowledge_base)
    )
    try:
        async with running_gateway(database_url, tmp_path) as gateway, cookie_session() as http:
            trainer = await _trainer(http, gateway.base_url, "tara")
            assert (await _call(trainer, "POST", "/articles", {**ARTICLE, "status": "published"}))[0] == 201
            assert await _answered_in_chinese(NEW_VARIANT) != "gift-wrap", "not before the trainer teaches it"

            zh = {**ARTICLE["zh"], "questions": [*ARTICLE["zh"]["questions"], NEW_VARIANT]}
            english = {key: value for key, value in ARTICLE.items() if key not in ("slug", "zh")}
            assert (await _call(trainer, "PUT", "/articles/gift-wrap", {**english, "zh": zh}))[0] == 200
            assert await _answered_in_chinese(NEW_VARIANT) == "gift-wrap"
    finally:
        action_runtime.install(None)
        await engine.dispose()
