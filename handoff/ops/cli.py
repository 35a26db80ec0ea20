"""``deskbot``: the operator's command-line tool.

    deskbot db upgrade | downgrade REV | current
    deskbot seed [--seed N] [--customers N] [--orders N]
    deskbot kb import [--dir DIR] | export [--dir DIR] | search "question" [--limit N] [--json]
    deskbot nlu-lessons export [--out FILE]   the approved NLU lessons as Rasa NLU YAML
    deskbot train                 train the Rasa model if its inputs (bot/, config.yml, NLU lessons) changed
    deskbot run [--demo]          start everything; Ctrl-C stops it
    deskbot run --replicas N      N of each process behind nginx, on PostgreSQL and Redis
    deskbot cluster-config [--replicas N] [--prefix DIR]   the nginx.conf that `run --replicas N` writes
    deskbot retrain               retrain with approved examples; the gate decides whether it goes live
    deskbot users add NAME --role agent|trainer|admin [--name "Display Name"]
    deskbot segments recompute    recompute every customer's segments now (the gateway does it hourly)

Errors are one line on stderr naming what is wrong, and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from crm_store import clock, migrate
from crm_store.db import check_connection, create_engine, is_sqlite, redact, session_factory, unit_of_work
from crm_store.demo_data import DEFAULT_CUSTOMERS, DEFAULT_ORDERS, DEFAULT_SEED, generate, seed_database
from crm_store.demo_history import generate_history, seed_history
from crm_store.errors import ConfigError, StoreError, StoreUnavailable
from crm_store.repositories import CustomerRepository
from handoff.errors import GatewayError
from handoff.ops import segments as segments_command
from handoff.ops.private_files import keep_private
from handoff.ops.stack import ServiceFailed, Stack
from handoff.ops.training import TrainingFailed
from handoff.settings import Settings
from knowledge_base.embedding import Embedder
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.importer import export_directory, import_directory
from knowledge_base.search import KnowledgeBase


def say(message: str) -> None:
    print(message, flush=True)


def progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def require_migrated(settings: Settings) -> None:
    current, head = migrate.current_revision(settings.store.database_url), migrate.head_revision()
    if current != head:
        raise StoreUnavailable(
            f"the database at {redact(settings.store.database_url)} is at revision {current or 'none'}, "
            f"not {head}: run `deskbot db upgrade` first"
        )


# db --------------------------------------------------------------------------


def cmd_db(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        migrate.upgrade(settings.store.database_url, args.revision)
        say(
            f"database {redact(settings.store.database_url)} is at revision {migrate.current_revision(settings.store.database_url)}"
        )
    elif args.db_command == "downgrade":
        migrate.downgrade(settings.store.database_url, args.revision)
        say(
            f"database {redact(settings.store.database_url)} is at revision {migrate.current_revision(settings.store.database_url) or 'base'}"
        )
    elif args.db_command == "current":
        say(f"{migrate.current_revision(settings.store.database_url) or 'base'} (head: {migrate.head_revision()})")
    return 0


# seed ------------------------------------------------------------------------


async def _seed(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.store.database_url)
    try:
        await check_connection(engine, settings.store.database_url)
        factory = session_factory(engine)
        async with unit_of_work(factory) as session:
            existing = await CustomerRepository(session).count()
            if existing:
                say(f"demo data already present ({existing} customers); nothing to do")
                return 0
            people = generate(seed=args.seed, customers=args.customers, orders=args.orders)
            customers, orders = await seed_database(session, people)
            # Sixty days of conversations and tickets, so the reports page has something to show.
            conversations = await seed_history(session, [p.email for p in people], generate_history(len(people)))
        say(f"seeded {customers} customers and {orders} orders (seed {args.seed})")
        say(f"seeded {conversations} conversations of support history for the reports")
        return 0
    finally:
        await engine.dispose()


# kb --------------------------------------------------------------------------


async def _kb(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.store.database_url)
    try:
        await check_connection(engine, settings.store.database_url)
        factory = session_factory(engine)
        embedder = Embedder(settings.knowledge_base.embedding_model)
        if args.kb_command == "import":
            directory = Path(args.dir) if args.dir else settings.knowledge_base.articles_dir
            report = await import_directory(factory, embedder, directory, actor="cli", progress=progress)
            say(f"knowledge base imported from {directory}: {report.summary()}")
            for label, slugs in (
                ("added", report.added),
                ("changed", report.changed),
                ("removed", report.removed),
                ("kept (edited in the console)", report.kept),
            ):
                if slugs:
                    shown = ", ".join(slugs[:10]) + (f" and {len(slugs) - 10} more" if len(slugs) > 10 else "")
                    say(f"  {label}: {shown}")
        elif args.kb_command == "export":
            directory = Path(args.dir) if args.dir else settings.knowledge_base.articles_dir
            count = await export_directory(factory, directory)
            say(f"exported {count} article(s) to {directory}")
        elif args.kb_command == "search":
            knowledge_base = KnowledgeBase.from_settings(factory, embedder, settings.knowledge_base)
            hits = await knowledge_base.search(args.question, limit=args.limit)
            if args.json:
                say(json.dumps([hit.__dict__ for hit in hits], indent=2))
            else:
                _print_hits(hits, settings)
        return 0
    finally:
        await engine.dispose()


def _print_hits(hits: list, settings: Settings) -> None:  # type: ignore[type-arg]
    """Ranked hits with what the bot would do: answer with the first, or offer the close ones."""
    if not hits:
        say("no articles")
        return
    answered = hits[0].score >= settings.knowledge_base.answer_threshold
    for rank, hit in enumerate(hits, start=1):
        if rank == 1 and answered:
            verdict = "answer"
        elif hit.score >= settings.knowledge_base.suggest_threshold and not answered:
            verdict = "suggest"
        else:
            verdict = "-"
        say(f"{rank}. {hit.score:.3f} [{verdict:7}] {hit.slug}  ({hit.title})")
    if answered:
        say("")
        say(hits[0].answer)


# users ---------------------------------------------------------------------------


async def _users(settings: Settings, args: argparse.Namespace) -> int:
    from handoff.staff.accounts import add_user

    engine = create_engine(settings.store.database_url)
    try:
        await check_connection(engine, settings.store.database_url)
        user, password = await add_user(
            session_factory(engine), args.username, args.role, args.name or args.username, args.password
        )
    finally:
        await engine.dispose()
    say(f"added {user.role} {user.username!r}")
    if not args.password:
        say(f"password (shown once): {password}")
    return 0


async def _demo_logins(settings: Settings) -> list[tuple[str, str, str]]:
    from handoff.staff.accounts import reset_demo_logins

    engine = create_engine(settings.store.database_url)
    try:
        return await reset_demo_logins(session_factory(engine))
    finally:
        await engine.dispose()


# nlu-lessons ------------------------------------------------------------------------


async def _nlu_lessons(settings: Settings, args: argparse.Namespace) -> int:
    from handoff.learning.nlu_lessons import approved_lessons, to_rasa_yaml

    engine = create_engine(settings.store.database_url)
    try:
        await check_connection(engine, settings.store.database_url)
        lessons = await approved_lessons(session_factory(engine))
    finally:
        await engine.dispose()
    text = to_rasa_yaml(lessons)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")  # noqa: ASYNC240 (a command-line tool, nothing else runs)
        say(f"exported {len(lessons)} NLU lesson(s) to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


# train / run / retrain -----------------------------------------------------------


async def _lessons_for_training(settings: Settings) -> Path | None:
    """The NLU lessons exported under var/ for a training run; without them when the database cannot say."""
    from sqlalchemy.engine import make_url

    from handoff.learning.nlu_lessons import export_for_training

    url = settings.store.database_url
    if is_sqlite(url) and not Path(str(make_url(url).database)).exists():  # noqa: ASYNC240 (before anything runs)
        return None  # a first `deskbot train` on a laptop: no database yet, so no lessons (and none created)
    engine = create_engine(url)
    try:
        await check_connection(engine, url)
        if migrate.current_revision(url) != migrate.head_revision():
            say("the database is not migrated: training without the NLU lessons")
            return None
        return await export_for_training(session_factory(engine), settings.store.var_dir)
    except StoreUnavailable as error:
        say(f"training without the NLU lessons: {error}")
        return None
    finally:
        await engine.dispose()


async def _model_to_run(settings: Settings, trained: Path) -> Path:
    """The freshly trained model, unless the evaluation gate rejected it: then the last active one."""
    import os

    from crm_store.repositories import ModelRecordRepository

    engine = create_engine(settings.store.database_url)
    try:
        async with unit_of_work(session_factory(engine)) as session:
            records = await ModelRecordRepository(session).newest_first()
    finally:
        await engine.dispose()
    # A command-line tool before anything runs: a few blocking file checks are fine here.
    this = next((r for r in records if r.file_name == os.path.abspath(trained)), None)  # noqa: ASYNC240
    active = next((r for r in records if r.status == "active" and Path(r.file_name).exists()), None)  # noqa: ASYNC240
    if this is not None and this.status == "rejected" and active is not None:
        say(f"{trained.name} was rejected by the evaluation gate ({this.note}); starting {Path(active.file_name).name}")
        return Path(active.file_name)
    return trained


async def _retrain(settings: Settings) -> int:
    import aiohttp

    from handoff.learning.retraining import ModelManager

    token_file = settings.run_dir / "rasa-token"
    token = settings.rasa_token or (token_file.read_text().strip() if token_file.exists() else "")
    if not token:
        raise StoreUnavailable(f"no running Rasa found (no {token_file}): start the product with `make run` first")
    from dataclasses import replace

    settings = replace(settings, rasa_token=token)
    engine = create_engine(settings.store.database_url)
    try:
        async with aiohttp.ClientSession() as http:
            manager = ModelManager(settings, session_factory(engine), http, tolerance=settings.model_gate_tolerance)
            if await manager.register_running("cli") is None:
                raise StoreUnavailable(
                    f"Rasa at {settings.rasa_url} does not answer: start the product with `make run` first"
                )
            manager.start_retrain("cli")
            shown = 0
            while manager.training.state == "running":
                await asyncio.sleep(0.5)
                for line in manager.training.log[shown:]:
                    say(line)
                shown = len(manager.training.log)
            await manager.wait()
            for line in manager.training.log[shown:]:
                say(line)
            return 0 if manager.training.state == "idle" else 1
    finally:
        await engine.dispose()


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from handoff.ops.training import ensure_model

    lessons = asyncio.run(_lessons_for_training(settings))
    say(f"model: {ensure_model(settings.models_dir, progress=say, lessons=lessons)}")
    return 0


def _model_for_run(settings: Settings) -> Path:
    """Train if bot/, config.yml or the NLU lessons changed; the model the evaluation gate lets run."""
    from handoff.ops.training import ensure_model

    lessons = asyncio.run(_lessons_for_training(settings))
    return asyncio.run(_model_to_run(settings, ensure_model(settings.models_dir, progress=say, lessons=lessons)))


def _start(stack: Stack, timeout_s: float) -> bool:
    """Start the stack; False when a SIGTERM or Ctrl-C came first (the stack then stopped its children)."""
    from handoff.ops.supervisor import StopRequested, stop_on_signals

    try:
        with stop_on_signals():  # a SIGTERM while starting stops the children too (Stack.start cleans up)
            stack.start(timeout_s)
    except StopRequested:
        say("stopped before start-up finished")
        return False
    return True


def _print_addresses(settings: Settings, logins: list[tuple[str, str, str]]) -> None:
    say("")
    say(f"  Demo shop with the chat widget:  {settings.public_url}/")
    if logins:
        say(f"  Agent console:                   {settings.public_url}/console/")
        for username, role, password in logins:
            say(f"    {role:8} user {username!r:10} password {password}   (new each start)")
        say(f"  Reports (admin, lead):           {settings.public_url}/reports/")
    say(f"  Logs:                            {settings.run_dir}/")
    if settings.telegram_bot_token:
        say(f"  Telegram:                        on ({settings.telegram_mode})")
    else:
        say("  Telegram:                        off (set TELEGRAM_BOT_TOKEN to enable)")


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from handoff.ops.stack import START_TIMEOUT_S, Stack, build_services, with_secrets

    if args.replicas != 1:
        return cmd_run_cluster(settings, args)
    model = _model_for_run(settings)
    settings = with_secrets(replace(settings, demo_mode=settings.demo_mode or args.demo))
    logins = asyncio.run(_demo_logins(settings)) if settings.demo_mode else []
    stack = Stack(build_services(settings, model), progress=say)
    say("starting the action server, the Rasa server and the gateway (about a minute)…")
    if not _start(stack, START_TIMEOUT_S):
        return 0
    _print_addresses(settings, logins)
    say("  A crashed action server or Rasa server is restarted; messages wait for it meanwhile.")
    say("  Stop with Ctrl-C.")
    say("")
    return stack.watch()


def cmd_run_cluster(settings: Settings, args: argparse.Namespace) -> int:
    """N replicas of each process behind nginx, on PostgreSQL and Redis (handoff/ops/cluster.py)."""
    from dataclasses import replace

    from handoff.learning.model_store import publish_model
    from handoff.ops import cluster, nginx
    from handoff.ops.stack import START_TIMEOUT_S, Stack, with_secrets

    replicas = args.replicas
    cluster.check_settings(settings, replicas)
    ports = cluster.ClusterPorts.following(settings, replicas)
    cluster.check_ports_free(ports)
    cluster.check_redis(settings.redis_url)
    binary = nginx.ensure_nginx(progress=say)
    say(f"migrating {redact(settings.store.database_url)}")
    migrate.upgrade(settings.store.database_url)
    model = _model_for_run(settings)
    settings = with_secrets(replace(settings, demo_mode=settings.demo_mode or args.demo))
    logins = asyncio.run(_demo_logins(settings)) if settings.demo_mode else []
    publish_model(settings.store.database_url, model)  # what every Rasa replica pulls from the gateways
    services = cluster.build_cluster(settings, model, ports, binary)
    # No single part is essential: a dead replica is restarted while the others serve; only a crash loop ends it.
    stack = Stack(services.in_start_order(), progress=say, essential=())
    say(f"starting {replicas} action servers, {replicas} Rasa servers, {replicas} gateways and nginx (minutes)…")
    if not _start(stack, START_TIMEOUT_S * replicas):
        return 0
    _print_addresses(settings, logins)
    say(f"  Replicas:                        {replicas} of each, nginx config in {settings.run_dir}/nginx/")
    say(f"    gateways on 127.0.0.1:{', '.join(map(str, ports.gateways))} behind {settings.public_url}")
    say(f"    Rasa servers on {', '.join(map(str, ports.rasa))} behind 127.0.0.1:{ports.rasa_balancer}")
    say(f"    action servers on {', '.join(map(str, ports.actions))} behind 127.0.0.1:{ports.actions_balancer}")
    say("  Any crashed replica (or nginx) is restarted; nginx sends its work to the others meanwhile.")
    say("  Stop with Ctrl-C.")
    say("")
    return stack.watch()


def cmd_cluster_config(settings: Settings, args: argparse.Namespace) -> int:
    """The nginx configuration `deskbot run --replicas N` would generate, on standard output."""
    from handoff.ops import cluster, nginx

    if args.replicas < cluster.MIN_REPLICAS:
        raise ConfigError(f"--replicas must be {cluster.MIN_REPLICAS} or more")
    ports = cluster.ClusterPorts.following(settings, args.replicas)
    prefix = Path(args.prefix) if args.prefix else settings.run_dir / "nginx"
    sys.stdout.write(nginx.render(ports.balancer(), nginx.NginxPaths(prefix)))
    return 0


# entry point -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deskbot", description="Customer-service bot: operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate to the newest schema")
    upgrade.add_argument("--revision", default="head")
    downgrade = db_commands.add_parser("downgrade", help="migrate back to REVISION ('base' empties it)")
    downgrade.add_argument("revision")
    db_commands.add_parser("current", help="show the schema revision")

    seed = commands.add_parser("seed", help="load deterministic demo customers and orders into an empty database")
    seed.add_argument("--seed", type=int, default=DEFAULT_SEED)
    seed.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    seed.add_argument("--orders", type=int, default=DEFAULT_ORDERS)

    kb = commands.add_parser("kb", help="knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    kb_import = kb_commands.add_parser("import", help="sync the database with the article files")
    kb_import.add_argument("--dir", help="article directory (default: KB_ARTICLES_DIR)")
    kb_export = kb_commands.add_parser("export", help="write the database's articles to files")
    kb_export.add_argument("--dir", help="article directory (default: KB_ARTICLES_DIR)")
    kb_search = kb_commands.add_parser("search", help="rank the articles for a question")
    kb_search.add_argument("question")
    kb_search.add_argument("--limit", type=int, default=5)
    kb_search.add_argument("--json", action="store_true", help="machine-readable output")
    users = commands.add_parser("users", help="staff accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    add = users_commands.add_parser("add", help="add an agent, trainer, admin or lead (prints a generated password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["agent", "trainer", "admin", "lead"])
    add.add_argument("--name", help="display name shown to customers and colleagues")
    add.add_argument("--password", help="set this password instead of generating one (at least 10 characters)")

    lessons = commands.add_parser("nlu-lessons", help="the NLU lessons approved in the trainer console")
    lessons_commands = lessons.add_subparsers(dest="lessons_command", required=True)
    lessons_export = lessons_commands.add_parser("export", help="write them as Rasa NLU YAML")
    lessons_export.add_argument("--out", help="file to write (default: standard output)")

    commands.add_parser("train", help="train the Rasa model if bot/, config.yml or the NLU lessons changed")
    commands.add_parser(
        "retrain",
        help="retrain, evaluate against the running model and swap it in only if not worse (needs `deskbot run`)",
    )
    run = commands.add_parser("run", help="start the action server, Rasa and the gateway; Ctrl-C stops all three")
    run.add_argument("--demo", action="store_true", help="enable the demo shop's sign-in as a demo customer")
    run.add_argument(
        "--replicas",
        type=int,
        default=1,
        metavar="N",
        help="N (2 or more) of each process behind nginx on GATEWAY_PORT; needs PostgreSQL DATABASE_URL and REDIS_URL",
    )
    cluster_config = commands.add_parser(
        "cluster-config", help="print the nginx configuration that `run --replicas N` generates"
    )
    cluster_config.add_argument("--replicas", type=int, default=2, metavar="N")
    cluster_config.add_argument(
        "--prefix", help="nginx's directory for pid, logs and temporary files (default: var/run/nginx)"
    )
    segments_command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        keep_private(settings.store.var_dir)
        clock.install_from_setting(settings.store.clock_start)
        if args.command == "db":
            return cmd_db(settings, args)
        if args.command == "train":
            return cmd_train(settings, args)
        if args.command == "cluster-config":
            return cmd_cluster_config(settings, args)
        if args.command == "run" and args.replicas != 1:
            return cmd_run(settings, args)  # checks its settings, then migrates itself
        require_migrated(settings)
        if args.command == "seed":
            return asyncio.run(_seed(settings, args))
        if args.command == "kb":
            return asyncio.run(_kb(settings, args))
        if args.command == "run":
            return cmd_run(settings, args)
        if args.command == "retrain":
            return asyncio.run(_retrain(settings))
        if args.command == "users":
            return asyncio.run(_users(settings, args))
        if args.command == "nlu-lessons":
            return asyncio.run(_nlu_lessons(settings, args))
        if args.command == "segments":
            return asyncio.run(segments_command.run(settings, args))
    except (StoreError, KnowledgeBaseError, TrainingFailed, ServiceFailed, GatewayError) as error:
        print(f"deskbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("deskbot: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
