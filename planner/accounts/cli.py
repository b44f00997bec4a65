import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from planner.accounts import services
from planner.audit.services import record
from planner.extensions import db
from planner.validators import EMAIL_PATTERN


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Name for a new account.")
@with_appcontext
def create_admin_command(email: str, name: str) -> None:
    """Make EMAIL a site administrator, creating the account (asking for a password) if needed."""
    email = services.normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 320:
        raise click.BadParameter(_("Enter an email address like name@example.org."), param_hint="EMAIL")
    password = None
    if services.find_user(email) is None:
        password = click.prompt(_("Password for the new account"), hide_input=True, confirmation_prompt=True)
        if not 10 <= len(password) <= 200:
            raise click.ClickException(_("Use between 10 and 200 characters."))
    user, created = services.create_admin(email, password, name)
    record(
        None,
        "admin.appointed",
        target=("user", user.id),
        summary=_("%(email)s made site administrator", email=user.email),
    )
    db.session.commit()
    click.echo(
        _("Created administrator %(email)s.", email=email)
        if created
        else _("%(email)s is now a site administrator.", email=email)
    )
