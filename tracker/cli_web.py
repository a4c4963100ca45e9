"""`tracker serve` and `tracker user ...`: the web page and its accounts (cli.py registers them).

Passwords come from standard input (one line, for scripts) or a prompt typed twice,
never from an argument: arguments are visible to every user of the machine (`ps`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli import EXIT_BAD_INPUT, _state, handles_errors
from tracker.errors import BadValue

user_app = typer.Typer(
    help="Accounts of the web page (`tracker serve`): viewers read, editors also add, "
    "correct and retract readings, admins also manage accounts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _read_password() -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise BadValue("no password on standard input; pipe one line, or run in a terminal")
        return line.rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Password again", hide_input=True) != first:
        raise BadValue("the two passwords differ; nothing was changed")
    return str(first)


@user_app.command("add")
@handles_errors
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Account name (no spaces).")],
    role: Annotated[
        str, typer.Option(help="viewer (reads), editor (also records readings) or admin.")
    ] = "viewer",
) -> None:
    """Create an account; the password is read from standard input or a prompt."""
    from tracker.store.users import add_user, check_role

    check_role(role)
    account = add_user(_state(ctx).engine, name, role, _read_password())
    typer.echo(f'account "{account.name}" created ({account.role})')


@user_app.command("list")
@handles_errors
def user_list(ctx: typer.Context) -> None:
    """List the accounts with their roles."""
    from tracker.store.users import list_users

    accounts = list_users(_state(ctx).engine)
    if not accounts:
        typer.echo("no accounts yet; `tracker user add NAME --role editor` makes one")
        return
    for a in accounts:
        typer.echo(f"{a.name}\t{a.role}\tsince {a.created_at:%Y-%m-%d}")


@user_app.command("remove")
@handles_errors
def user_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Account name.")]
) -> None:
    """Remove an account; its sessions end at once. Readings it recorded keep its name."""
    from tracker.store.users import remove_user

    remove_user(_state(ctx).engine, name)
    typer.echo(f'account "{name}" removed')


@user_app.command("passwd")
@handles_errors
def user_passwd(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Account name.")]
) -> None:
    """Set a new password (from standard input or a prompt); old sessions end."""
    from tracker.store.users import get_user, set_password

    st = _state(ctx)
    if get_user(st.engine, name) is None:  # before asking for a password nobody will use
        from tracker.store.users import UnknownUser

        raise UnknownUser(f'there is no account "{name}"; `tracker user list` shows the accounts')
    set_password(st.engine, name, _read_password())
    typer.echo(f'password of "{name}" changed')


@handles_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (several share one PostgreSQL store).")
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-Proto/For from the reverse proxy on 127.0.0.1 "
            "(secure cookies behind HTTPS).",
        ),
    ] = True,
) -> None:
    """Serve the web page: reports, indicators, runs, and forms to add and correct readings."""
    import os

    import uvicorn

    st = _state(ctx)
    if not 0 < port < 65536:
        raise BadValue(f"--port {port} is not a port; use 1 to 65535, e.g. --port 8000")
    if workers < 1:
        raise BadValue(f"--workers {workers} must be 1 or more")
    st.program  # noqa: B018  refuse a broken targets file before listening
    st.engine  # noqa: B018  migrate once, here, not in every worker at the same time
    # The workers build the app from these (uvicorn imports it by name in each process).
    s = st.settings
    os.environ.update(
        TRACKER_TARGETS=str(s.targets.resolve()),
        TRACKER_ACTUALS=str(s.actuals.resolve()),
        TRACKER_REPORTS=str(s.reports.resolve()),
        TRACKER_DATABASE_URL=s.database_url,
    )
    typer.echo(f"serving {s.targets} on http://{host}:{port}/ (stop: Ctrl+C)", err=True)
    uvicorn.run(
        "tracker.web.serve:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        log_level="info",
    )


__all__ = ["EXIT_BAD_INPUT", "serve", "user_app"]
