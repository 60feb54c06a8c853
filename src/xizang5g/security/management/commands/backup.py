from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xizang5g.core.crypto import CryptoError
from xizang5g.security.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a consistent, SM4-encrypted backup of the database and media files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="archive path (default var/backups/xizang5g-<time>.xzbak)"
        )
        parser.add_argument("--media-root", help="media directory (default MEDIA_ROOT)")

    def handle(self, *args, **options):
        output = options["output"] or str(
            settings.VAR_DIR / "backups" / f"xizang5g-{timezone.now():%Y%m%dT%H%M%SZ}.xzbak"
        )
        try:
            info = create_backup(Path(output), media_root=options["media_root"])
        except (BackupError, CryptoError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {info.path}: {info.objects} objects, {info.media_files} media files, "
                f"key {info.key_id}, SM3 {info.sha3}"
            )
        )
