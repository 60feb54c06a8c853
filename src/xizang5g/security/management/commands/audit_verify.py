from django.core.management.base import BaseCommand, CommandError

from xizang5g.security.chain import verify


class Command(BaseCommand):
    help = "Walk the SM3 hash chain over the change log and report every edited, inserted or deleted record."

    def handle(self, *args, **options):
        report = verify()
        self.stdout.write(
            f"{report.links} links, {report.rows} change-log rows"
            + (
                f", {report.unsealed_before_chain} written before the chain started"
                if report.unsealed_before_chain
                else ""
            )
        )
        for item in report.breaks:
            self.stdout.write(self.style.ERROR(str(item)))
        if not report.ok:
            raise CommandError(f"audit chain broken: {len(report.breaks)} problem(s)")
        self.stdout.write(self.style.SUCCESS("Audit chain intact."))
