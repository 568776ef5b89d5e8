"""Finding the tenant, the user and the customer a person names.

A customer can be named by id, domain or a unique prefix of its name (case-insensitive); anything
ambiguous or unknown is a LookupError whose message says what would work.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from renubu_tui.data.models import CompanySettings, Customer, Tenant, User
from renubu_tui.services.refusals import NotFound


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
