#!/usr/bin/env bash
# Development entry point for deskmobility on Debian/Ubuntu.
#
#   bash scripts/dev.sh run [app args...]     install what the app needs, then run it
#   bash scripts/dev.sh test [pytest args...] install what the tests need, then
#                                             ruff check, ruff format --check, mypy, pytest
#
# Both verbs are idempotent: system packages are installed only when dpkg-query says one
# is missing (with sudo when not root), and .venv is reinstalled only when pyproject.toml
# changed. Delete .venv to start from scratch. .venv is made with the python3 on PATH
# (DESKMOBILITY_PYTHON=/path/to/python picks another).
set -euo pipefail

# ---- Debian packages: the one place they are listed ------------------------------------
RUNTIME_PACKAGES=(
  # python3 itself with headers and venv, for machines whose python3 is Debian's own
  python3 python3-dev python3-venv
  # to build PyGObject (and pycairo) from PyPI: C-only meson projects
  gcc libc6-dev pkg-config libgirepository1.0-dev libcairo2-dev libglib2.0-dev
  # typelibs pystray's gtk and appindicator backends load at run time
  gir1.2-gtk-3.0 gir1.2-ayatanaappindicator3-0.1
)
TEST_PACKAGES=(
  # the private desktop of tests/e2e: X server, clicks, screenshots, tray hosts
  xvfb x11-utils xdotool imagemagick trayer
  haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
  # a notification server, its client, a session bus and its tools
  dunst libnotify-bin dbus dbus-x11
  # reading menus and notifications off screenshots; a fixed font for them
  tesseract-ocr fonts-dejavu-core
  # fullscreen and do-not-disturb checks: an EWMH window manager, and real GSettings
  openbox wmctrl dconf-service dconf-gsettings-backend gsettings-desktop-schemas libglib2.0-bin
  # chattr, to make a folder read-only even for root in the store's tests
  e2fsprogs
  # a real GNOME Shell, headless on Wayland: Mutter's idle watches and GNOME's own
  # notification server (gjs runs its notification helper); unshare hides /run/systemd
  gnome-shell gjs util-linux
  # desktop-file-validate, the freedesktop spec's own check of the app-grid entry
  desktop-file-utils
  # the real xdg-open, failing with no handler, for "Open config file"
  xdg-utils
  # dmenu: dunst's menu of a notification's actions, shown for real in a screenshot
  suckless-tools
)
# -----------------------------------------------------------------------------------------

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv"
PYTHON="${DESKMOBILITY_PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

say() { printf '==> [%4ss] %s\n' "$SECONDS" "$*"; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }
usage() {
  sed -n '3,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Run a noisy command with its output kept aside; show it only if the command fails.
quietly() {
  local log status=0
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    cat "$log" >&2
    rm -f "$log"
    die "failed (exit $status): $*"
  fi
  rm -f "$log"
}

ensure_packages() {
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    say "system packages: not a Debian/Ubuntu system; make sure these (or your system's equivalents) are installed: $*"
    return 0
  fi
  local package status missing=()
  # One dpkg-query for all: "name status" lines; packages it does not know are left out.
  status="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)"
  for package in "$@"; do
    grep -qxF "$package installed" <<<"$status" || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    say "system packages: all $# installed"
    return 0
  fi
  local as_root=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
    as_root=(sudo)
  fi
  say "system packages: installing ${missing[*]}"
  quietly "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  quietly "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
}

python_identity() { "$1" -c 'import sys; print(sys.base_prefix, sys.version)'; }

# .venv with the deskmobility package (editable) and the given pip arguments.
ensure_venv() {
  local mode="$1" stamp want
  shift
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
  if [[ -x "$VENV/bin/python" ]] \
    && [[ "$(python_identity "$VENV/bin/python" 2>/dev/null || true)" == "$(python_identity "$PYTHON")" ]]; then
    :
  else
    say "venv: creating .venv with $(command -v "$PYTHON") ($("$PYTHON" -V 2>&1))"
    rm -rf "$VENV"
    quietly "$PYTHON" -m venv "$VENV"
  fi
  stamp="$VENV/.dev-sh-$mode"
  want="$(sha256sum "$REPO/pyproject.toml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "venv: up to date with pyproject.toml"
    return 0
  fi
  say "venv: pip install -e '.[linux]'${*:+ $*} (PyGObject builds from source the first time, about a minute)"
  quietly "$VENV/bin/python" -m pip install --upgrade 'pip>=25.1'
  (cd "$REPO" && quietly "$VENV/bin/python" -m pip install -e '.[linux]' "$@")
  printf '%s\n' "$want" >"$stamp"
  if [[ "$mode" == test ]]; then
    printf '%s\n' "$want" >"$VENV/.dev-sh-run" # the test install includes the run install
  fi
}

# One setup at a time per checkout (apt and pip must not race), released before the app
# or the tests start.
setup() {
  local lock
  lock="${TMPDIR:-/tmp}/deskmobility-dev-$(printf '%s' "$REPO" | sha256sum | cut -c1-12).lock"
  exec 9>"$lock"
  flock -w 1800 9 || die "another dev.sh setup holds $lock"
  "$@"
  exec 9>&-
}

setup_run() {
  ensure_packages "${RUNTIME_PACKAGES[@]}"
  ensure_venv run
}

setup_test() {
  ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  ensure_venv test --group dev
}

# One phase of the checks: say what runs, and stop at the first failure, saying which.
step() {
  local name="$1"
  shift
  say "$name"
  "$@" || die "$name failed (exit $?)"
}

run_tests() {
  local started=$SECONDS status=0
  cd "$REPO"
  export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
  step "ruff check" ruff check .
  step "ruff format --check" ruff format --check .
  step "mypy" mypy
  say "pytest $*"
  pytest "$@" || status=$?
  if ((status == 5)); then
    die "pytest collected no tests (exit 5): a run that tests nothing is a failure"
  elif ((status != 0)); then
    die "pytest failed (exit $status)"
  fi
  say "all checks passed in $((SECONDS - started)) s"
}

main() {
  (($# >= 1)) || usage
  local verb="$1"
  shift
  case "$verb" in
    run)
      setup setup_run
      say "run: deskmobility $*"
      exec "$VENV/bin/deskmobility" "$@"
      ;;
    test)
      setup setup_test
      run_tests "$@"
      ;;
    *) usage ;;
  esac
}

main "$@"
