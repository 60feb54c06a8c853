from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xizang5g.security.backup import BackupError, read_backup, restore_backup


class Command(BaseCommand):
    help = (
        "Verify (SM4-GCM tag, SM3 digests) and restore a backup into an empty, migrated database."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--verify-only", action="store_true", help="check the archive, write nothing"
        )
        parser.add_argument("--media-root", help="media directory (default MEDIA_ROOT)")

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            if options["verify_only"]:
                header, members = read_backup(path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Archive OK: {header['objects']} objects, {len(members) - 1} media files, made {header['created']}"
                    )
                )
                return
            result = restore_backup(path, media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result['objects']} objects and {result['media_files']} media files (backup of {result['created']})"
            )
        )
