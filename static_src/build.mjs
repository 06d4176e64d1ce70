// Front-end build: bundles static_src/ into project/static/gen/ with esbuild, then runs the
// Python publish step (content hashes into the webassets manifest, .gz files) so the manifest
// can never lag behind the built files. `--watch` rebuilds (and republishes) on every change.
//
// Environment: ASSETS_PYTHON names the Python that has the project installed (default:
// .venv/bin/python, else python3). Paths are relative to the current directory, which npm
// sets to the folder holding package.json.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";

const OUTDIR = "project/static/gen";
const ENTRY_POINTS = [
  "static_src/js/app.js",
  "static_src/css/app.css",
  // The API docs page alone loads these (Swagger UI is a megabyte the other pages skip).
  "static_src/js/api-docs.js",
  "static_src/css/api-docs.css",
];
const watch = process.argv.includes("--watch");

function python() {
  if (process.env.ASSETS_PYTHON) return process.env.ASSETS_PYTHON;
  return existsSync(".venv/bin/python") ? ".venv/bin/python" : "python3";
}

// Outputs of an earlier build that this one no longer makes (a renamed entry point, say)
// would otherwise stay in the manifest and be served forever.
function removeStale(metafile) {
  const keep = new Set(Object.keys(metafile.outputs).map((p) => relative(OUTDIR, p)));
  for (const entry of readdirSync(OUTDIR, { recursive: true, withFileTypes: true })) {
    const path = relative(OUTDIR, join(entry.parentPath, entry.name));
    // The publish step's files and the build fingerprint are not esbuild outputs.
    const generated = path === "manifest.json" || path.endsWith(".gz") || entry.name.startsWith(".");
    if (entry.isFile() && !generated && !keep.has(path)) rmSync(join(OUTDIR, path));
  }
}

function publish() {
  const result = spawnSync(python(), ["-m", "project.assets_build", "publish", "project/static"], {
    stdio: "inherit",
  });
  if (result.error) return `cannot run ${python()}: ${result.error.message}`;
  return result.status === 0 ? null : "publish step failed (see above)";
}

const publishPlugin = {
  name: "publish",
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      removeStale(result.metafile);
      const error = publish();
      if (error) return { errors: [{ text: error }] };
    });
  },
};

const options = {
  entryPoints: ENTRY_POINTS,
  outbase: "static_src",
  outdir: OUTDIR,
  bundle: true,
  // Watch builds are minified too: they must equal a one-shot build of the same sources,
  // which the build fingerprint vouches for. The sourcemaps keep debugging readable.
  minify: true,
  sourcemap: "linked",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  metafile: true,
  logLevel: watch ? "info" : "warning", // one-shot builds: scripts/build-assets says enough
  plugins: [publishPlugin],
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log("esbuild: watching static_src/ (Ctrl-C stops)");
  // Started by `scripts/ctl dev` with a pipe as stdin: end with it, so a dev server that dies
  // without cleaning up leaves no watcher behind.
  if (process.env.ASSETS_EXIT_WITH_STDIN === "1") {
    process.stdin.on("end", () => context.dispose().then(() => process.exit(0)));
    process.stdin.resume();
  }
} else {
  const result = await esbuild.build(options).catch(() => process.exit(1));
  if (result.errors.length > 0) process.exit(1);
}
