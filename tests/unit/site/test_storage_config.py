"""``ESSAIM_S3_*`` read into the uploads' storage (django-storages) and the images' CSP origins."""

from sites.storage_config import media_sources, s3_storage


def test_no_bucket_keeps_local_files():
    assert s3_storage({}) is None
    assert media_sources(None) == []


def test_a_provider_with_an_endpoint_signs_urls_in_path_style():
    storage = s3_storage(
        {
            "ESSAIM_S3_BUCKET": "essaim-media",
            "ESSAIM_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
            "ESSAIM_S3_REGION": "fr-par",
            "ESSAIM_S3_LOCATION": "/uploads/",
        }
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "essaim-media" and options["region_name"] == "fr-par"
    assert options["addressing_style"] == "path" and options["location"] == "uploads"
    assert options["querystring_auth"] and options["querystring_expire"] == 86400
    assert options["file_overwrite"] is False and options["default_acl"] is None
    assert media_sources(storage) == ["https://s3.fr-par.scw.cloud"]


def test_a_custom_domain_serves_unsigned_urls_from_its_origin():
    storage = s3_storage({"ESSAIM_S3_BUCKET": "essaim-media", "ESSAIM_S3_CUSTOM_DOMAIN": "example.org/media"})
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert media_sources(storage) == ["https://example.org/media"]


def test_aws_without_an_endpoint_allows_the_buckets_hosts():
    storage = s3_storage({"ESSAIM_S3_BUCKET": "essaim-media", "ESSAIM_S3_REGION": "eu-west-3"})
    assert storage["OPTIONS"]["endpoint_url"] is None and storage["OPTIONS"]["addressing_style"] is None
    assert media_sources(storage) == [
        "https://essaim-media.s3.amazonaws.com",
        "https://essaim-media.s3.eu-west-3.amazonaws.com",
    ]


def test_virtual_addressing_names_the_bucket_in_the_host():
    storage = s3_storage(
        {
            "ESSAIM_S3_BUCKET": "media",
            "ESSAIM_S3_ENDPOINT_URL": "https://s3.example.net",
            "ESSAIM_S3_ADDRESSING_STYLE": "virtual",
        }
    )
    assert media_sources(storage) == ["https://media.s3.example.net"]
