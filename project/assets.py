"""Static URLs that carry a content hash, read from a manifest written at build time.

The build (`scripts/build-assets`, see `assets_build.py`) bundles `static_src/` into
`static/gen/` and hashes every file under `static/` into `static/gen/manifest.json`. At request
time URLs come from that manifest alone: webassets runs with `auto_build=False` and no
versioner, so no worker ever hashes a file and every worker and host renders the same URL.

Templates use `asset_urls("css")` / `asset_urls("js")` for the bundles and
`static_url("favicon.svg")` for any other static file. The static view answers URLs whose hash
matches with far-future immutable caching, others with short caching and revalidation, and
serves the precompressed `.gz` copies to clients that accept gzip.
"""

from __future__ import annotations

import mimetypes
import os

from flask import Flask, current_app, has_request_context, request, send_from_directory, url_for
from webassets import Bundle, Environment
from webassets.exceptions import BundleError
from werkzeug.security import safe_join

from .user_errors import UserError

MANIFEST = "gen/manifest.json"  # relative to the static folder
# Bundle name -> the file esbuild writes (relative to the static folder).
BUNDLES = {
    "css": "gen/css/app.css",
    "js": "gen/js/app.js",
    "api-docs-css": "gen/css/api-docs.css",
    "api-docs-js": "gen/js/api-docs.js",
}
ONE_YEAR = 31536000
DEFAULT_UNHASHED_MAX_AGE = 300


class AssetError(UserError):
    """An asset a page or template names is missing from the build."""


def make_environment(static_folder: str, url: str, hashing: bool = False) -> Environment:
    """webassets Environment over the built files; `hashing` is for the build step only."""
    env = Environment(
        directory=static_folder,
        url=url,
        auto_build=False,
        url_expire=True,  # the version goes into the query string: /static/gen/js/app.js?6c8e9ddd
        versions="hash" if hashing else False,
        manifest=False if hashing else f"json:{os.path.join(static_folder, MANIFEST)}",
    )
    for name, output in BUNDLES.items():
        # esbuild has bundled and minified already; each bundle is its own output, declared
        # so that webassets versions it and renders its URL.
        env.register(name, Bundle(output, output=output))
    return env


def init_app(app: Flask) -> None:
    app.config.setdefault("ASSETS_UNHASHED_MAX_AGE", DEFAULT_UNHASHED_MAX_AGE)
    app.extensions["assets"] = make_environment(app.static_folder, app.static_url_path)
    app.add_template_global(asset_urls)
    app.add_template_global(static_url)
    app.view_functions["static"] = serve_static


def manifest_path(app: Flask) -> str:
    return os.path.join(app.static_folder, MANIFEST)


def manifest() -> dict[str, str]:
    """{static filename: version} as written by the build; read once per process."""
    return current_app.extensions["assets"].manifest.manifest


def asset_urls(name: str) -> list[str]:
    """URLs of bundle `name`, each carrying the hash the build recorded."""
    root = request.script_root if has_request_context() else ""
    return [root + url for url in bundle_urls(name)]


def bundle_urls(name: str) -> list[str]:
    """Computed once per process: the manifest does not change under a running worker, and
    webassets' own lookup was a fifth of the home page's time (profiled)."""
    cache = current_app.extensions.setdefault("asset_url_cache", {})
    if name not in cache:
        urls = lookup_bundle_urls(name)
        if urls is None:
            return on_missing(f"bundle {name!r}", [url_for("static", filename=BUNDLES[name])])
        cache[name] = urls
    return cache[name]


def lookup_bundle_urls(name: str) -> list[str] | None:
    if name not in BUNDLES:
        return on_missing(f"bundle {name!r} (known: {', '.join(BUNDLES)})", [])
    try:
        return current_app.extensions["assets"][name].urls()
    except BundleError:
        return None


def static_url(filename: str) -> str:
    """URL of a file under static/, carrying the hash the build recorded."""
    root = request.script_root if has_request_context() else ""
    cache = current_app.extensions.setdefault("static_url_cache", {})
    key = (root, filename)
    if key not in cache:
        url = url_for("static", filename=filename)
        version = manifest().get(filename)
        if version is None:
            return on_missing(f"static file {filename!r}", url)
        cache[key] = f"{url}?{version}"
    return cache[key]


def on_missing(what: str, fallback):
    """Fail loudly where developers look (debug, tests); in production log and degrade."""
    message = f"{what} is not in the asset manifest: run scripts/build-assets or fix the name"
    if current_app.debug or current_app.testing:
        raise AssetError(message)
    current_app.logger.error(message)
    return fallback


def serve_static(filename: str):
    """Flask's static view, plus immutable caching for hashed URLs and precompressed gzip."""
    has_gzip = gzip_path(filename) is not None
    send_gzip = has_gzip and accepts_gzip()
    hashed = is_hashed_request(filename)
    response = send_from_directory(
        current_app.static_folder,
        filename + ".gz" if send_gzip else filename,
        mimetype=mimetypes.guess_type(filename)[0] or "application/octet-stream",
        max_age=ONE_YEAR if hashed else current_app.config["ASSETS_UNHASHED_MAX_AGE"],
    )
    response.cache_control.immutable = hashed or None
    if send_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if has_gzip:
        response.vary.add("Accept-Encoding")
    return response


def is_hashed_request(filename: str) -> bool:
    """True when the query string is this file's current hash: only then is it immutable."""
    version = manifest().get(filename)
    return version is not None and request.query_string.decode("ascii", "replace") == version


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def gzip_path(filename: str) -> str | None:
    """The precompressed copy the build wrote next to `filename`, if any."""
    path = safe_join(current_app.static_folder, filename + ".gz")
    return path if path is not None and os.path.isfile(path) else None
