"""Staff accounts: adding agents, trainers and admins, and the demo logins `make run` prints."""

from __future__ import annotations

import re

from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.models import User
from crm_store.models.user import USER_ROLES
from crm_store.repositories import AuditRepository, UserRepository
from handoff.errors import InvalidMessage
from handoff.staff.passwords import generate_password, hash_password, password_problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
DEMO_USERS = (
    ("agent", "Alex (demo agent)", "agent"),
    ("trainer", "Taylor (demo trainer)", "trainer"),
    ("admin", "Ari (demo admin)", "admin"),
    ("lead", "Lou (demo support lead)", "lead"),
)


async def add_user(
    sessions: sessionmaker, username: str, role: str, display_name: str, password: str | None = None
) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when none is given)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidMessage("username must be 2-64 lowercase letters, digits, '.', '_' or '-'")
    if role not in USER_ROLES:
        raise InvalidMessage(f"role must be one of {', '.join(USER_ROLES)}")
    password = password or generate_password()
    problem = password_problem(password)
    if problem:
        raise InvalidMessage(problem)
    async with unit_of_work(sessions) as session:
        users = UserRepository(session)
        if await users.by_username(username) is not None:
            raise InvalidMessage(f"user {username!r} already exists")
        user = await users.add(
            User(
                username=username,
                role=role,
                display_name=display_name.strip() or username,
                password_hash=hash_password(password),
            )
        )
        await AuditRepository(session).record(
            "cli", "user.added", "user", user.id, {"username": username, "role": role}
        )
    return user, password


async def reset_demo_logins(sessions: sessionmaker) -> list[tuple[str, str, str]]:
    """Make sure the demo staff exist, each with a fresh random password; returns (username, role, password)."""
    logins = []
    async with unit_of_work(sessions) as session:
        users = UserRepository(session)
        for username, display_name, role in DEMO_USERS:
            password = generate_password()
            user = await users.by_username(username)
            if user is None:
                await users.add(
                    User(username=username, role=role, display_name=display_name, password_hash=hash_password(password))
                )
            else:
                user.password_hash = hash_password(password)
                user.active = True
            logins.append((username, role, password))
    return logins
