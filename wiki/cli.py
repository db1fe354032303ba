"""The ``ticketwiki`` command line (see DESIGN.md for the contract)."""

from __future__ import annotations

import sys
from datetime import datetime, time, timezone

import click

from wiki.accounts import AccountError, create_api_key, create_user, find_user
from wiki.config import load_settings
from wiki.install import initialize, upgrade
from wiki.jobs import Scheduler, registered_jobs, run_jobs
from wiki.plugins import gather, make_plugin_manager
from wiki.site import Site, create_site


class Context:
    def __init__(self, instance: str | None):
        self.instance = instance
        self._site: Site | None = None

    @property
    def site(self) -> Site:
        if self._site is None:
            settings = load_settings(self.instance)
            self._site = create_site(settings)
        return self._site


pass_ctx = click.make_pass_decorator(Context)


@click.group()
@click.option("--instance", envvar="TICKETWIKI_INSTANCE", help="Instance folder (default ./instance).")
@click.pass_context
def main(ctx: click.Context, instance: str | None) -> None:
    """ticketwiki: a help desk that is a wiki."""
    ctx.obj = Context(instance)


@main.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create or upgrade the database, load shipped pages, create the first admin."""
    report = initialize(ctx.site)
    click.echo(f"Database ready: {ctx.site.settings.database_url.split('@')[-1]}")
    click.echo(f"Seed pages created: {len(report.seeded)}")
    _echo_retitled(report.retitled)
    if report.admin_name:
        click.echo("First admin created. These credentials are shown once; keep them safe:")
        click.echo(f"  user name: {report.admin_name}")
        click.echo(f"  password:  {report.admin_password}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per process.")
@click.option("--workers", default=1, show_default=True, type=int,
              help="Processes; more than one uses gunicorn and spreads page views over the cores.")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int, workers: int) -> None:
    """Run the web app (waitress in one process, or gunicorn with several)."""
    if workers < 1 or threads < 1:
        raise click.BadParameter("--workers and --threads must be at least 1")
    click.echo(f"ticketwiki on http://{host}:{port}/ (instance {load_settings(ctx.instance).instance_path}, "
               f"{workers} process{'es' if workers > 1 else ''} x {threads} threads)")
    if workers > 1:  # no site in this process: gunicorn forks it, and each worker builds its own
        from wiki.server import serve_gunicorn

        serve_gunicorn(ctx.instance, host, port, workers, threads)
        return
    from waitress import serve as waitress_serve

    from wiki.app import create_app

    app = create_app(site=ctx.site)
    scheduler = Scheduler(ctx.site).start()
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="ticketwiki")
    finally:
        scheduler.stop()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Apply the core's and plugins' migrations, then move pages whose titles are now written otherwise."""
    _echo_retitled(upgrade(ctx.site))
    click.echo("Database is up to date.")


def _echo_retitled(moved: list[tuple[str, str]]) -> None:
    for old, new in moved:
        click.echo(f"Moved {old!r} to {new!r}: its title is now written that way")


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "staff", "analyst", "customer"]))
@click.option("--email")
@click.option("--account", help="The customer account the user acts for (created if new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def user_create(ctx: Context, name: str, role: str, email: str | None, account: str | None,
                password_stdin: bool) -> None:
    """Create a user."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        with ctx.site.db.write() as session:
            created = create_user(session, name, role, email=email, password=password, account=account)
            click.echo(f"Created {created.role} {created.name!r} (id {created.id}).")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


def _parse_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2027-01-31", param_hint="--expires") from None
    if len(value) == 10:
        parsed = datetime.combine(parsed.date(), time.max)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@main.group()
def apikey() -> None:
    """Manage API keys."""


@apikey.command("create")
@click.argument("username")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--expires", help="Expiry date (YYYY-MM-DD, end of that day UTC).")
@click.option("--label", default="", help="What the key is for.")
@pass_ctx
def apikey_create(ctx: Context, username: str, scope: str, expires: str | None, label: str) -> None:
    """Create an API key for USERNAME and print it once."""
    expires_at = _parse_date(expires)
    try:
        with ctx.site.db.write() as session:
            owner = find_user(session, username)
            if owner is None:
                raise click.ClickException(f"There is no user named {username!r}.")
            _key, token = create_api_key(session, owner, scope=scope, expires_at=expires_at, label=label)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)


@main.group()
def jobs() -> None:
    """Scheduled jobs (cron or a worker can call ``jobs run``)."""


@jobs.command("run")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Run even if not due yet.")
@pass_ctx
def jobs_run(ctx: Context, names: tuple[str, ...], force: bool) -> None:
    """Run the due jobs (or only NAMES)."""
    try:
        outcomes = run_jobs(ctx.site, list(names) or None, force=force)
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    failed = False
    for outcome in outcomes:
        if not outcome.ran:
            click.echo(f"{outcome.name}: skipped ({outcome.reason})")
        elif outcome.error:
            failed = True
            click.echo(f"{outcome.name}: FAILED\n{outcome.error}", err=True)
        else:
            click.echo(f"{outcome.name}: done")
    if failed:
        sys.exit(1)


@jobs.command("list")
@pass_ctx
def jobs_list(ctx: Context) -> None:
    """List the registered jobs and their schedules."""
    for name, job in sorted(registered_jobs(ctx.site).items()):
        click.echo(f"{name}\tevery {job.every_seconds} s")


def _add_plugin_commands() -> None:
    """Plugins' commands are added at import time from the shipped and installed plugins (all of
    them: the instance, and so which plugins are switched off, is not known yet)."""
    for command in gather(make_plugin_manager().hook.register_cli_commands):
        main.add_command(command)


_add_plugin_commands()
