from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from accounts import audit
        from accounts.roles import sync_ops_groups_after_migrate

        audit.connect()

        # Permissions are created after migrations, so the ops groups are synced then too.
        post_migrate.connect(sync_ops_groups_after_migrate, dispatch_uid="accounts.sync_ops_groups")
