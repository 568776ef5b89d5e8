"""Finding the tenant, the user and the customer a person names, and who the person is.

A customer can be named by id, domain or a unique prefix of its name (case-insensitive); anything
ambiguous or unknown is a LookupError whose message says what would work.

Who the person is (`acting_user`): on SQLite, and on PostgreSQL for a login that sees every
tenant (a superuser, BYPASSRLS, the tables' owner), whoever `--user` / RENUBU_USER names, else
the tenant's default user — one user per machine, or the owner's own tools. Any other PostgreSQL
login is the user whose `users.db_role` is that login: the database vouches for it, and `--user`
naming someone else is refused unless the login is a member of `renubu_admin` (docs/rules.md,
"Identities the database vouches for").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.models import CompanySettings, Customer, Tenant, User
from renubu_tui.services.refusals import NotFound

ADMIN_ROLE = "renubu_admin"  # migration 0008: its members may act as another user (--user)


class IdentityRefused(NotFound):
    """The login may not be the user asked for: a refusal said like an unknown name (one line,
    exit 2), since to this login that user is not there."""


@dataclass(frozen=True)
class Login:
    """What PostgreSQL says about the connection's login (`session_user`)."""

    role: str
    sees_all: bool  # row-level security does not apply: superuser, BYPASSRLS, the tables' owner
    admin: bool  # a member of renubu_admin: may act as another user of its tenants

    @property
    def vouched(self) -> bool:
        """Whether the user is the one the login maps to, not the one a setting names."""
        return not self.sees_all


_LOGIN_SQL = text(
    """
    SELECT session_user::text AS role,
           coalesce((SELECT r.rolsuper OR r.rolbypassrls
                     FROM pg_roles r WHERE r.rolname = session_user), false)
           OR coalesce(pg_has_role(session_user,
                                   (SELECT c.relowner FROM pg_class c
                                    WHERE c.oid = to_regclass('tenants')),
                                   'USAGE'), false) AS sees_all,
           CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :admin)
                THEN pg_has_role(session_user, :admin, 'MEMBER') ELSE false END AS admin
    """
)


async def database_login(session: AsyncSession) -> Login | None:
    """The connection's login on PostgreSQL; None on SQLite (one user, no roles)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return None
    row = (await session.execute(_LOGIN_SQL, {"admin": ADMIN_ROLE})).one()
    return Login(role=row.role, sees_all=bool(row.sees_all), admin=bool(row.admin))


async def acting_user(
    session: AsyncSession, tenant_slug: str, email: str | None
) -> tuple[Tenant, User]:
    """The tenant and the user this connection works as (see the module's docstring)."""
    login = await database_login(session)
    if login is None or not login.vouched:
        named = await tenant_by_slug(session, tenant_slug)
        return named, await user_by_email(session, named, email)
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
    own = None
    if tenant is not None:
        own = await session.scalar(
            select(User).where(User.tenant_id == tenant.id, User.db_role == login.role)
        )
    if tenant is None or (own is None and not (login.admin and email)):
        raise IdentityRefused(await _not_a_user(session, login, tenant_slug))
    wanted = email.strip().lower() if email and email.strip() else None
    if wanted is None or (own is not None and own.email == wanted):
        assert own is not None
        return tenant, own
    if not login.admin:
        who = own.email if own is not None else "no user"
        raise IdentityRefused(
            f"--user {wanted} refused: the database login {login.role!r} is {who}, "
            f"and only a member of {ADMIN_ROLE} may act as someone else"
        )
    return tenant, await user_by_email(session, tenant, wanted)


async def _not_a_user(session: AsyncSession, login: Login, tenant_slug: str) -> str:
    """Why the login is nobody in the tenant, and where it is somebody."""
    rows = (
        await session.execute(
            select(Tenant.slug, User.email)
            .join(User, User.tenant_id == Tenant.id)
            .where(User.db_role == login.role)
            .order_by(Tenant.slug)
        )
    ).all()
    where = "; ".join(f"{email} in tenant {slug!r} (--tenant {slug})" for slug, email in rows)
    said = f"the database login {login.role!r} is no user of tenant {tenant_slug!r}"
    if where:
        return f"{said}: it is {where}"
    return (
        f"{said} (or the tenant is not one of its tenants): an admin links it to its user "
        f"with UPDATE users SET db_role = '{login.role}' WHERE email = '…'"
    )


async def tenant_by_slug(session: AsyncSession, slug: str) -> Tenant:
    tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise NotFound(f"unknown tenant {slug!r} (run `renubu db seed` to create the demo)")
    return tenant


async def user_by_email(session: AsyncSession, tenant: Tenant, email: str | None) -> User:
    """The named user, or the tenant's default CSM when no one is named."""
    if email is None:
        company = await session.get(CompanySettings, tenant.id)
        email = (company.settings or {}).get("defaultUser") if company else None
        if email is None:
            raise NotFound(f"no user given and tenant {tenant.slug!r} has no default user")
    user = await session.scalar(
        select(User).where(User.tenant_id == tenant.id, User.email == email.strip().lower())
    )
    if user is None:
        raise NotFound(f"unknown user {email!r} in tenant {tenant.slug!r}")
    return user


async def customer_by_ref(session: AsyncSession, tenant: Tenant, ref: str) -> Customer:
    """Resolve an id, a domain, a slug or a unique name prefix to one customer of the tenant."""
    text = ref.strip()
    if not text:
        raise NotFound("no customer given")
    scoped = select(Customer).where(Customer.tenant_id == tenant.id)
    try:
        as_id = uuid.UUID(text)
    except ValueError:
        as_id = None
    if as_id is not None:
        found = await session.scalar(scoped.where(Customer.id == as_id))
        if found is not None:
            return found
    lowered = text.lower()
    exact = await session.scalar(
        scoped.where(or_(Customer.domain == lowered, Customer.slug == lowered))
    )
    if exact is not None:
        return exact
    escaped = lowered.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    matches = (
        await session.scalars(
            scoped.where(func.lower(Customer.name).like(escaped + "%", escape="\\"))
            .order_by(Customer.name)
            .limit(6)
        )
    ).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no customer matches {ref!r} (use an id, a domain or a name prefix)")
    names = ", ".join(m.name for m in matches[:5])
    more = " …" if len(matches) > 5 else ""
    raise NotFound(f"{ref!r} matches several customers: {names}{more}")
