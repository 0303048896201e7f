"""``manage.py federation_outbox_rebuild``: write a fresh change-feed entry for every object this
node publishes (after bulk loads that bypass the producers, or to let peers re-read everything)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from federation import outbox


class Command(BaseCommand):
    help = "Write a fresh change-feed entry for every venue, resource, event and busy time this node publishes."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = outbox.rebuild()
        outbox.stamp()
        self.stdout.write(f"{count} entries written; the feed's head is {outbox.head()}")
