# Shared by scripts/build-assets and scripts/build-translations (sourced, not run): a build
# step runs only when the fingerprint of its inputs differs from the one its last run stamped.
# Expects HERE (the project folder of the script).

die() { echo "error: $*" >&2; exit 1; }

# The sha256 of the NUL-separated file names on stdin, in the given order, and their contents.
files_fingerprint() { xargs -0 sha256sum | sha256sum | cut -d' ' -f1; }

# stamp_matches STAMP_FILE FINGERPRINT: the last build stamped this fingerprint.
stamp_matches() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

# The Python of the project's .venv, else the system's (a copy being bootstrapped).
default_python() {
    if [[ -x "$HERE/.venv/bin/python" ]]; then echo "$HERE/.venv/bin/python"; else echo python3; fi
}
