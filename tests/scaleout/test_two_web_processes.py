"""Essaim past one machine: two gunicorn instances, as deploy/ starts them (its config file, DEBUG
off), on two ports, sharing one database, one Redis (cache, rate limits, broker) and one
S3-compatible bucket (moto's server on loopback) — and nothing else. Each has its own
``ESSAIM_VAR_DIR``, so a file kept in MEDIA_ROOT or anything kept in process memory would show.

- a manager logs in on the first, uploads an image through Wagtail's admin on the second, and the
  first shows it from the bucket, whose bytes come back;
- the API log-in's rate limit counts the requests made to both together;
- a venue page and the directory, cached on both for anonymous visitors, are gone from both once an
  admin unpublishes the venue through one (the page cache lives in the shared Redis);
- ``/health/`` answers 200 on both, with the database, the cache and the broker reached.

Slow (a migration, collectstatic, two servers): CI runs it serially in the SQLite pass (marker
``scaleout``); with a PostgreSQL ``DATABASE_URL`` it uses a PostgreSQL database instead
(``tests.support.nodes.databases``). Redis: ``redis://127.0.0.1:6379/13``, emptied first.
"""

import io
import json
import re
import secrets
import subprocess
import sys
from contextlib import ExitStack
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import boto3
import httpx
import pytest
import redis
from moto.server import ThreadedMotoServer
from PIL import Image

from tests.support.nodes import databases
from tests.support.server import HOST, ROOT, base_environment, free_port, manage, serving

pytestmark = pytest.mark.scaleout

REDIS_URL = "redis://127.0.0.1:6379/13"
BUCKET = "essaim-media"
#: Requests per minute to the token API (``ESSAIM_AUTH_RATE``) from one address.
AUTH_RATE = 6
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "sites.wsgi"]
DATA = "from tests.scaleout.data import main; main()"


def _empty_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.ConnectionError as error:
        pytest.fail(f"this test needs Redis on 127.0.0.1:6379 ({error})")


def _s3_server(stack: ExitStack) -> str:
    """moto's S3 on a free loopback port, with the bucket; its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    stack.callback(server.stop)
    endpoint = f"http://{HOST}:{port}"
    _s3(endpoint).create_bucket(Bucket=BUCKET)
    return endpoint


def _s3(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


def _shared_environment(root: Path, database: dict, endpoint: str) -> dict[str, str]:
    """What every web process of the deployment is given alike (deploy/.env)."""
    env = base_environment(root / "shared")
    # Not the test run's own switches (pytest-xdist's worker would move the Redis database).
    for name in ("PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env | {
        "DATABASE_URL": database.get("DATABASE_URL") or f"sqlite:///{root / 'a' / 'essaim.sqlite3'}",
        "REDIS_URL": REDIS_URL,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "ESSAIM_NODE_URL": f"http://{HOST}",
        "STATIC_ROOT": str(root / "static"),
        # Plain HTTP on loopback, where production has nginx and TLS in front.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "ESSAIM_STAFF_2FA_REQUIRED": "false",
        "ESSAIM_AUTH_RATE": f"{AUTH_RATE}/min",
        "ESSAIM_S3_BUCKET": BUCKET,
        "ESSAIM_S3_ENDPOINT_URL": endpoint,
        "ESSAIM_S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }


def _prepare(env: dict[str, str]) -> dict:
    """collectstatic (the manifest DEBUG off needs) and the data, side by side; the data's JSON."""
    static = subprocess.Popen(  # noqa: S603 — our interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    data = manage(env, "shell", "-c", DATA, stdout_only=True)
    output, _ = static.communicate(timeout=600)
    assert static.returncode == 0, output[-3000:]
    return json.loads(data.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two web processes of one deployment: ``web1`` and ``web2`` (base URLs), ``s3``, ``manager``."""
    root = tmp_path_factory.mktemp("scaleout")
    _empty_redis()
    with ExitStack() as stack:
        endpoint = _s3_server(stack)
        overrides = stack.enter_context(databases(root))
        shared = _shared_environment(root, overrides["a"], endpoint)
        manager = _prepare(shared)
        bases = []
        for name in ("web1", "web2"):
            port = free_port()
            var_dir = root / name
            var_dir.mkdir()
            env = shared | {"ESSAIM_VAR_DIR": str(var_dir), "GUNICORN_BIND": f"{HOST}:{port}"}
            stack.enter_context(serving(GUNICORN, env, port, log=var_dir / "gunicorn.log", wait_seconds=180))
            bases.append(f"http://{HOST}:{port}")
        yield SimpleNamespace(
            web1=bases[0], web2=bases[1], s3=_s3(endpoint), endpoint=endpoint, manager=manager, root=root
        )


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _csrf_token(page: httpx.Response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _log_in(client: httpx.Client, base: str, manager: dict, username: str | None = None) -> None:
    """The public log-in form (allauth), as a person fills it in."""
    page = client.get(f"{base}/connexion/")
    assert page.status_code == 200, page.text[:500]
    answer = client.post(
        f"{base}/connexion/",
        data={
            "login": username or manager["username"],
            "password": manager["password"],
            "csrfmiddlewaretoken": _csrf_token(page),
        },
    )
    assert answer.status_code == 302, answer.text[:1000]


def test_health_on_both(cluster):
    for base in (cluster.web1, cluster.web2):
        answer = httpx.get(f"{base}/health/", headers={"Accept": "application/json"}, trust_env=False, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "Database(alias='default')": "OK",
            "Cache(alias='default')": "OK",
            "CeleryBroker()": "OK",
        }


def test_an_image_uploaded_through_one_is_served_by_the_other(cluster):
    original = _png(64, 48)
    with httpx.Client(timeout=60, trust_env=False) as client:
        # Logged in on web1: the session is in the shared database, the cookie valid on web2.
        _log_in(client, cluster.web1, cluster.manager)
        upload = client.post(
            f"{cluster.web2}/admin/images/multiple/add/",
            data={"collection": str(cluster.manager["collection"])},
            files={"files[]": ("ruche.png", original, "image/png")},
            headers={"X-CSRFToken": client.cookies["csrftoken"]},
        )
        assert upload.status_code == 200, upload.text[:1000]
        assert upload.json()["success"], upload.json()
        image_id = upload.json()["image_id"]

        edit = client.get(f"{cluster.web1}/admin/images/{image_id}/")
        assert edit.status_code == 200, edit.text[:1000]
    sources = [unescape(src) for src in re.findall(r'<img[^>]+src="([^"]+)"', edit.text)]
    in_bucket = [src for src in sources if src.startswith(f"{cluster.endpoint}/{BUCKET}/images/")]
    assert in_bucket, f"no image from the bucket on web1's page: {sources}"
    rendition = httpx.get(in_bucket[0], trust_env=False, timeout=30)
    assert rendition.status_code == 200
    assert Image.open(io.BytesIO(rendition.content)).format == "PNG"

    # The original is in the bucket, byte for byte, and neither process kept a file of its own.
    keys = [item["Key"] for item in cluster.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    originals = [key for key in keys if key.startswith("original_images/ruche")]
    assert len(originals) == 1, keys
    assert cluster.s3.get_object(Bucket=BUCKET, Key=originals[0])["Body"].read() == original
    for name in ("web1", "web2"):
        assert not any((cluster.root / name / "media").rglob("*.*")), f"{name} kept uploads in MEDIA_ROOT"


def test_the_token_api_rate_limit_counts_both_processes(cluster):
    statuses = []
    for attempt in range(AUTH_RATE + 2):
        base = (cluster.web1, cluster.web2)[attempt % 2]
        answer = httpx.post(
            f"{base}/api/v1/auth/token/",
            json={"username": cluster.manager["username"], "password": cluster.manager["password"]},
            trust_env=False,
            timeout=30,
        )
        statuses.append(answer.status_code)
    # Each process alone saw half of the requests, under the limit: only a shared count stops the last two.
    assert statuses == [200] * AUTH_RATE + [429, 429], statuses


def _anonymous_get(url: str) -> httpx.Response:
    return httpx.get(url, trust_env=False, timeout=30, follow_redirects=False)


def test_a_page_cached_on_both_is_invalidated_on_both_by_an_unpublish_on_one(cluster):
    venue = cluster.manager["other_path"]
    directory = cluster.manager["directory_path"]
    for base in (cluster.web1, cluster.web2):
        for path in (venue, directory):
            _anonymous_get(f"{base}{path}")  # fills the cache (the first one does, for both)
            again = _anonymous_get(f"{base}{path}")
            assert again.status_code == 200, (base, path, again.status_code)
            assert again.headers.get("X-Essaim-Cache") == "hit", (base, path, dict(again.headers))
        assert "Le Bocal" in _anonymous_get(f"{base}{directory}").text

    with httpx.Client(timeout=60, trust_env=False) as admin:
        _log_in(admin, cluster.web1, cluster.manager, username=cluster.manager["admin"])
        url = f"{cluster.web1}/admin/pages/{cluster.manager['other_id']}/unpublish/"
        confirm = admin.get(url)
        assert confirm.status_code == 200, confirm.text[:500]
        done = admin.post(url, data={"csrfmiddlewaretoken": _csrf_token(confirm)})
        assert done.status_code == 302, done.text[:1000]

    for base in (cluster.web1, cluster.web2):
        assert _anonymous_get(f"{base}{venue}").status_code == 404, base
        listing = _anonymous_get(f"{base}{directory}")
        assert listing.status_code == 200
        assert "Le Bocal" not in listing.text, base
        assert "La Ruche des Pentes" in listing.text
