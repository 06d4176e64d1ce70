"""Build-time half of the asset pipeline: hash, compress, check, write the manifest.

Run by `static_src/build.mjs` after every esbuild build (and rebuild under `--watch`) as
`python -m project.assets_build publish project/static`, so the manifest never lags behind
the built files. It refuses to finish when a template names an asset the build lacks: that
breaks the build (and `scripts/ctl start`), not a user's page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes

from .assets import BUNDLES, MANIFEST, AssetError, make_environment

# Text formats worth compressing; images and fonts are compressed already.
COMPRESSIBLE = (".css", ".js", ".map", ".svg", ".json", ".txt", ".html")
# Under this size gzip's framing costs more than it saves.
MIN_GZIP_SIZE = 256
ASSET_FUNCTIONS = ("static_url", "asset_urls")


def file_version(path: Path) -> str:
    """First 8 hex digits of the file's md5: the same version webassets' "hash" gives."""
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()[:8]


def static_files(static: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to static/, path) of every servable file, outputs of this step excluded."""
    for path in sorted(static.rglob("*")):
        name = path.relative_to(static).as_posix()
        hidden = any(part.startswith(".") for part in path.relative_to(static).parts)
        if path.is_file() and not hidden and name != MANIFEST and not name.endswith(".gz"):
            yield name, path


def bundle_versions(static: Path) -> dict[str, str]:
    """Versions of the bundles, computed by webassets' own hash versioner."""
    env = make_environment(str(static), "/static", hashing=True)
    versions = {}
    for name, output in BUNDLES.items():
        if not (static / output).is_file():
            raise AssetError(f"bundle {name!r}: {output} was not built (see the esbuild output)")
        versions[output] = env[name].get_version(refresh=True)
    return versions


def build_manifest(static: Path) -> dict[str, str]:
    versions = {name: file_version(path) for name, path in static_files(static)}
    versions.update(bundle_versions(static))
    return versions


def compress(path: Path) -> bool:
    """Write `path`.gz (deterministic: no name, no timestamp) unless it would not pay off."""
    data = path.read_bytes()
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    target = Path(f"{path}.gz")
    if len(data) < MIN_GZIP_SIZE or len(packed) >= len(data):
        target.unlink(missing_ok=True)
        return False
    write_if_changed(target, packed)
    return True


def compress_built(gen: Path) -> None:
    """Gzip the built text files; drop .gz copies whose original is gone."""
    for path in gen.rglob("*.gz"):
        if not path.with_suffix("").is_file():
            path.unlink()
    for path in gen.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE and path.name != Path(MANIFEST).name:
            compress(path)


def write_if_changed(path: Path, data: bytes) -> None:
    """Atomic write, skipped when unchanged (the dev reloader restarts on every new mtime)."""
    if path.is_file() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # workers starting meanwhile read the old or the new file, never half


def template_references(env: jinja2.Environment) -> Iterator[tuple[str, str, object]]:
    """(template, function, first argument) of every asset function call and url_for('static')."""
    for template in env.list_templates():
        source = env.loader.get_source(env, template)[0]
        for call in env.parse(source).find_all(nodes.Call):
            if not isinstance(call.node, nodes.Name) or not call.args:
                continue
            arg = call.args[0].value if isinstance(call.args[0], nodes.Const) else None
            if call.node.name in (*ASSET_FUNCTIONS, "url_for"):
                yield template, call.node.name, arg


def reference_problems(env: jinja2.Environment, versions: dict[str, str]) -> list[str]:
    """One line per template reference the build cannot satisfy."""
    problems = []
    for template, function, arg in template_references(env):
        if function == "url_for" and arg == "static":
            problems.append(f"{template}: url_for('static') gives no hash; use static_url()")
        elif function == "static_url" and isinstance(arg, str) and arg not in versions:
            problems.append(f"{template}: static_url({arg!r}) names no file under static/")
        elif function == "asset_urls" and isinstance(arg, str) and arg not in BUNDLES:
            problems.append(f"{template}: asset_urls({arg!r}) names no bundle")
    return problems


def check_templates(template_folder: Path, versions: dict[str, str]) -> None:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_folder),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],  # the templates' {% trans %} blocks (project/i18n.py)
    )
    problems = reference_problems(env, versions)
    if problems:
        raise AssetError("templates name missing assets: " + "; ".join(problems))


def publish(static_folder: str) -> dict[str, str]:
    """Compress the built files, check the templates, write the manifest; returns it."""
    static = Path(static_folder).resolve()
    compress_built(static / "gen")
    versions = build_manifest(static)
    check_templates(static.parent / "templates", versions)
    # The format webassets' JsonManifest reads: {output path: version}.
    text = json.dumps(versions, indent=4, sort_keys=True) + "\n"
    write_if_changed(static / MANIFEST, text.encode())
    return versions


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "publish":
        print("usage: python -m project.assets_build publish STATIC_FOLDER", file=sys.stderr)
        return 2
    try:
        versions = publish(argv[1])
    except AssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"assets: {len(versions)} files hashed into {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
