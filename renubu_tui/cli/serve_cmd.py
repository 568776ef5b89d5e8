"""`renubu serve`: the same app in a browser, for people with a sign-in link (README, "In a
browser")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from renubu_tui.cli.root import Context, command_options, pass_context

if TYPE_CHECKING:
    from renubu_tui.settings import Settings
    from renubu_tui.web.tokens import TokenStore

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def token_file() -> Path:
    from renubu_tui.settings import data_dir

    return data_dir() / "serve_tokens.json"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address people open, when a proxy serves it elsewhere (https://renubu.example).",
)
@click.option(
    "--user-header",
    metavar="NAME",
    help="Trust this request header for the signed-in e-mail (set by your reverse proxy only).",
)
@click.option("--add-user", metavar="EMAIL", help="Print a new sign-in link for EMAIL and exit.")
@click.option("--remove-user", metavar="EMAIL", help="End EMAIL's sign-in link and exit.")
@click.option("--list-users", is_flag=True, help="List who has a sign-in link and exit.")
@command_options
@pass_context
def serve(
    ctx: Context,
    host: str,
    port: int,
    public_url: str | None,
    user_header: str | None,
    add_user: str | None,
    remove_user: str | None,
    list_users: bool,
) -> None:
    """Serve the app to browsers; each signed-in person runs it as themselves."""
    from renubu_tui.cli.errors import UserError
    from renubu_tui.web.tokens import TokenFileError, TokenStore

    tokens = TokenStore(token_file())
    settings = ctx.settings
    base = public_url or f"http://{'localhost' if host in LOCAL_HOSTS else host}:{port}"
    try:
        if add_user is not None:
            email = ctx.run(_tenant_user(settings, add_user))
            token = tokens.add(email, settings.tenant)
            click.echo(f"sign-in link for {email} (shown once; adding them again replaces it):")
            click.echo(f"{base.rstrip('/')}/?token={token}")
            return
        if remove_user is not None:
            if not tokens.remove(remove_user.strip().lower()):
                raise UserError(f"{remove_user} has no sign-in link")
            click.echo(f"{remove_user}'s sign-in link no longer works")
            return
        if list_users:
            for email in tokens.emails():
                click.echo(email)
            return
        if not tokens.emails() and user_header is None:
            raise UserError(
                "nobody can sign in yet: add someone with `renubu serve --add-user EMAIL`"
            )
    except TokenFileError as exc:
        raise UserError(str(exc)) from None
    ctx.run(_tenant_user(settings, None))  # the database answers before anyone signs in
    _serve(ctx, tokens, host=host, port=port, public_url=public_url, user_header=user_header)


def _serve(
    ctx: Context,
    tokens: TokenStore,
    *,
    host: str,
    port: int,
    public_url: str | None,
    user_header: str | None,
) -> None:
    import os

    from renubu_tui.web.server import RenubuServer

    settings = ctx.settings
    environment = {
        "RENUBU_DATABASE_URL": settings.database_url,
        "RENUBU_TENANT": settings.tenant,
        "RENUBU_CONFIG": str(settings.config_file),
    }
    if settings.today is not None:
        environment["RENUBU_TODAY"] = settings.today.isoformat()
    if not Path(environment["RENUBU_CONFIG"]).exists():
        del environment["RENUBU_CONFIG"]  # the default file is optional; a named one is not
    os.environ.pop("RENUBU_USER", None)  # a tab is its signed-in person, never the server's
    if host not in LOCAL_HOSTS:
        click.echo(f"renubu: listening on {host}, not only this machine", err=True)
    RenubuServer(
        tokens,
        host=host,
        port=port,
        environment=environment,
        user_header=user_header,
        public_url=public_url,
    ).serve()


async def _tenant_user(settings: Settings, email: str | None) -> str:
    """The stored e-mail of EMAIL in the tenant (None: the tenant's default user), on a
    database made ready as the app's first start does (created, migrated, seeded if embedded)."""
    from renubu_tui.services.bootstrap import open_database, prepare
    from renubu_tui.services.customers.lookup import tenant_by_slug, user_by_email

    async with open_database(settings) as database:
        await prepare(database, settings, settings.clock().today())  # as the app's first start
        async with database.sessions() as session:
            tenant = await tenant_by_slug(session, settings.tenant)
            return str((await user_by_email(session, tenant, email)).email)
