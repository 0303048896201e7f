"""Where uploads live: MEDIA_ROOT by default, or an S3-compatible bucket through django-storages.

Several web processes on several machines must all read what any of them stored, and files in
MEDIA_ROOT are on one machine only (README "Running more web processes and workers")."""

from urllib.parse import urlsplit


def s3_storage(env) -> dict | None:
    """The uploads' storage in an S3-compatible bucket (django-storages), or None for local files.

    Several web processes on several machines must all read what any of them stored: files in
    MEDIA_ROOT are on one machine only. Credentials are boto3's own (AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY, or the machine's role), never copied into settings."""
    # ESSAIM_S3_BUCKET: the bucket for uploads (Wagtail images and renditions, documents); empty: MEDIA_ROOT.
    bucket = env.get("ESSAIM_S3_BUCKET", "").strip()
    if not bucket:
        return None
    # ESSAIM_S3_ENDPOINT_URL: a provider other than AWS (MinIO, Scaleway, OVHcloud, Garage…).
    endpoint = env.get("ESSAIM_S3_ENDPOINT_URL", "").strip() or None
    # ESSAIM_S3_CUSTOM_DOMAIN: a public host (CDN, or the bucket's own) serving the files without signed
    # URLs; without it every file URL is signed and expires (ESSAIM_S3_URL_EXPIRE), the bucket stays private.
    custom_domain = env.get("ESSAIM_S3_CUSTOM_DOMAIN", "").strip() or None
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        # ESSAIM_S3_REGION: the bucket's region (e.g. eu-west-3, fr-par).
        "region_name": env.get("ESSAIM_S3_REGION", "").strip() or None,
        # ESSAIM_S3_LOCATION: a folder inside the bucket, when the bucket is shared.
        "location": env.get("ESSAIM_S3_LOCATION", "").strip("/ "),
        # ESSAIM_S3_ADDRESSING_STYLE: "path" (default with an endpoint: MinIO and most providers) or "virtual".
        "addressing_style": env.get("ESSAIM_S3_ADDRESSING_STYLE", "path" if endpoint else "").strip() or None,
        "custom_domain": custom_domain,
        "querystring_auth": custom_domain is None,
        # ESSAIM_S3_URL_EXPIRE: seconds a signed file URL stays valid (a page cached longer shows broken images).
        "querystring_expire": int(env.get("ESSAIM_S3_URL_EXPIRE", "86400")),
        # Two uploads named alike keep both files (Wagtail names files after what was uploaded).
        "file_overwrite": False,
        # Signature version 4: the one every region and S3-compatible provider accepts.
        "signature_version": "s3v4",
        # The bucket's policy decides who reads; uploads get no ACL of their own.
        "default_acl": None,
        "object_parameters": {"CacheControl": "max-age=604800"},
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def media_sources(storage: dict | None) -> list[str]:
    """The origins images are served from, for the Content-Security-Policy's ``img-src``."""
    if storage is None:
        return []
    options = storage["OPTIONS"]
    if options["custom_domain"]:
        return [f"https://{options['custom_domain']}"]
    bucket, endpoint, region = options["bucket_name"], options["endpoint_url"], options["region_name"]
    if endpoint:
        parts = urlsplit(endpoint)
        host = parts.netloc if options["addressing_style"] != "virtual" else f"{bucket}.{parts.netloc}"
        return [f"{parts.scheme}://{host}"]
    return [f"https://{bucket}.s3.amazonaws.com"] + ([f"https://{bucket}.s3.{region}.amazonaws.com"] if region else [])
