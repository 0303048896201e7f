"""``Idempotency-Key`` on state-changing API calls: a retry gets the first answer, nothing twice.

The semantics are Stripe's. The first request with a key reserves it for the caller in its own
short transaction (``IdempotencyRecord``, unique per person and key), then runs; its answer is
stored in the same transaction as the work it did, so an answer is on record exactly when the
work is. Afterwards:

- the same key with the same request (method, path and body) replays the first answer, status
  and body, with ``Idempotent-Replayed: true``, and writes nothing;
- the same key with another request is refused (400 ``idempotency_key_reused``);
- the same key while the first request still runs is refused (409 ``idempotency_in_progress``);
- a request that fails unexpectedly (a 500) releases its key, so a retry runs afresh.

Successes and refusals (2xx, 4xx) are both stored: retrying a refused booking gives the same
refusal. A refusal raised by the work rolls the work back first, then is stored on its own:
the common path, a success, needs no savepoint. Keys are kept 24 hours (``idempotency_purge``);
an older key counts as new.

``@idempotent`` wraps a DRF view method; ``IDEMPOTENCY_KEY_PARAMETER`` documents the header.
"""

import contextlib
import functools
import hashlib
import json
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.errors import Conflict, DomainError, InvalidInput
from core.models import IdempotencyRecord
from core.raw_models import insert_row, update_row
from core.savepoints import refusals_end_the_transaction

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: How long a key is remembered.
KEY_LIFETIME = timedelta(hours=24)
#: A reservation with no answer after this long belongs to a request whose worker died (gunicorn
#: kills a request after 30 s, rolling its transaction back): the key may be used again.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"^[ -~]*[!-~][ -~]*$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique string (a UUID, say) of up to 255 printable ASCII characters. Retrying the same "
        "request with the same key within 24 hours returns the first answer (with the header "
        "`Idempotent-Replayed: true`) and changes nothing."
    ),
)

#: Exceptions a DRF view turns into a 4xx answer: those answers are stored and replayed.
ANSWERED = (DomainError, APIException, Http404, DjangoPermissionDenied)


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two requests collide by concatenation
        digest.update(part)
    return digest.hexdigest()


def idempotency_reserve(*, user, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    """Reserve ``key`` for ``user``: ``(record, True)`` for a new request, ``(record, False)`` to
    replay a finished one; raises ``InvalidInput`` (other request) or ``Conflict`` (still running)."""
    for _attempt in range(3):
        # Outside a transaction (an API request) one autocommitted INSERT, not BEGIN … COMMIT; inside
        # one, a savepoint, so that a duplicate key does not break the caller's transaction.
        inside = transaction.get_connection().in_atomic_block
        try:
            with transaction.atomic() if inside else contextlib.nullcontext():
                return insert_row(IdempotencyRecord(user=user, key=key, fingerprint=fingerprint)), True
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            continue  # released meanwhile: try again
        now = timezone.now()
        stale = record.created_at <= now - KEY_LIFETIME or (
            record.status_code is None and record.created_at <= now - ABANDONED_AFTER
        )
        if stale:
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
            continue
        if record.fingerprint != fingerprint:
            raise InvalidInput(
                _("This Idempotency-Key was already used for a different request."), code="idempotency_key_reused"
            )
        if record.status_code is None:
            raise Conflict(
                _("A request with this Idempotency-Key is still being processed: retry in a moment."),
                code="idempotency_in_progress",
            )
        return record, False
    raise Conflict(
        _("A request with this Idempotency-Key is still being processed: retry in a moment."),
        code="idempotency_in_progress",
    )


def idempotency_complete(*, record: IdempotencyRecord, status_code: int, body) -> None:
    record.status_code = status_code
    record.body = body
    update_row(record, ["status_code", "body"])  # on every idempotent request: no ORM statement built


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a reservation whose request failed, so that a retry runs."""
    with transaction.atomic():
        IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotency_purge(*, older_than: datetime) -> int:
    """Delete keys created before ``older_than`` (e.g. now minus ``KEY_LIFETIME``); returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=older_than).delete()
    return deleted


def _body_bytes(request) -> bytes:
    try:
        return request._request.body
    except Exception:  # the stream was already read (multipart): fall back to the parsed data
        return json.dumps(request.data, sort_keys=True, default=str).encode()


def _stored(data) -> object:
    """The answer's data as the client receives it (decimals, dates and lazy texts as JSON)."""
    return json.loads(json.dumps(data, cls=JSONEncoder))


def _kept(response) -> bool:
    """Successes and refusals are answers to replay; a server error is not."""
    return 200 <= response.status_code < 300 or 400 <= response.status_code < 500


def replay(record: IdempotencyRecord) -> Response:
    return Response(record.body, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(handler=None, *, atomic: bool = True):
    """Make a DRF view method honour ``Idempotency-Key``; without the header it runs as is.

    Authentication, permissions and throttling have already run (``APIView.initial``): only
    signed-in callers reach this point, and keys are theirs alone. ``atomic=False`` is for a
    handler that must not run inside a transaction (one that calls another node: it commits its
    own steps and is idempotent by its own key); its answer is recorded all the same.
    """
    if handler is None:
        return functools.partial(idempotent, atomic=atomic)

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
            raise InvalidInput(
                _("An Idempotency-Key is 1 to 255 printable ASCII characters, e.g. a UUID."),
                code="idempotency_key_invalid",
            )
        fingerprint = request_fingerprint(
            method=request.method, path=request.get_full_path(), body=_body_bytes(request)
        )
        record, new = idempotency_reserve(user=request.user, key=key, fingerprint=fingerprint)
        if not new:
            return replay(record)
        if not atomic:
            return _outside_transaction(handler, view, request, record, *args, **kwargs)
        request._idempotency_record = record  # for ``answer_now``
        try:
            try:
                # The work and its answer are committed together; the services inside open no savepoint.
                with transaction.atomic(), refusals_end_the_transaction():
                    response = handler(view, request, *args, **kwargs)
                    if not _kept(response):
                        transaction.set_rollback(True)
                    elif getattr(request, "_idempotency_answered", None) is not response:
                        idempotency_complete(
                            record=record, status_code=response.status_code, body=_stored(response.data)
                        )
            except ANSWERED as exc:  # refused: its work is rolled back, the refusal recorded on its own
                response = view.handle_exception(exc)
                if _kept(response):
                    idempotency_complete(record=record, status_code=response.status_code, body=_stored(response.data))
        except BaseException:
            idempotency_release(record=record)
            raise
        if record.status_code is None:
            idempotency_release(record=record)
        return response

    return wrapper


def answer_now(request, response: Response) -> Response:
    """Record ``response`` as the key's answer at once, in the handler's transaction, rather than
    once the handler returns; returns it. For a handler whose last step takes a hot lock
    (``core.locking.locks_at_the_end``: an event date's seats), so that the lock covers only its
    count and the commit, not the answer's write. A refusal after it rolls it back with the rest
    of the work and is recorded instead. Without a key, or outside ``@idempotent``, does nothing."""
    record = getattr(request, "_idempotency_record", None)
    if record is not None and _kept(response):
        idempotency_complete(record=record, status_code=response.status_code, body=_stored(response.data))
        request._idempotency_answered = response
    return response


def _outside_transaction(handler, view, request, record, *args, **kwargs):
    try:
        try:
            response = handler(view, request, *args, **kwargs)
        except ANSWERED as exc:
            response = view.handle_exception(exc)
        if _kept(response):
            idempotency_complete(record=record, status_code=response.status_code, body=_stored(response.data))
    except BaseException:
        idempotency_release(record=record)
        raise
    if record.status_code is None:
        idempotency_release(record=record)
    return response
