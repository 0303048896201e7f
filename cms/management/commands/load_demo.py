"""``manage.py load_demo``: the demo network (site, venues, accounts). Safe to run again."""

from django.core.management.base import BaseCommand

from cms.demo import ACCOUNTS, load_demo


class Command(BaseCommand):
    help = "Load the demo network: home page, directory, venues in French and English, demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Load only the first N venues.")
        parser.add_argument("--no-translate", action="store_true", help="Skip the English translations.")

    def handle(self, *args, limit=None, no_translate=False, **options):
        report = load_demo(limit=limit, translate=not no_translate)
        self.stdout.write(f"demo network: {len(report.created)} venues created, {report.existing} already there")
        for username in report.accounts:
            self.stdout.write(f"  account {username} / {ACCOUNTS[username]['password']}")
