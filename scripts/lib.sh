# shellcheck shell=bash
# Sourced by scripts/run-tests and scripts/run-app: installs the Debian packages the app and its
# tests need, and keeps the project installed in the virtualenv .venv at the repository root.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"

# Qt's offscreen platform plugin (headless tests) and its xcb plugin (real windows, Xvfb screenshots).
QT_SYSTEM_PACKAGES=(
    libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3 fonts-dejavu-core
    libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxcb-sync1
    libxcb-shm0 libxcb-render0
)

header() {
    printf '\n==> %s\n' "$*"
}

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    else
        sudo "$@"
    fi
}

# Prints those of the packages "$@" that dpkg does not have installed (all of them without dpkg).
missing_packages() {
    local -A installed=()
    local package status
    while read -r package status; do
        if [[ $status == "install ok installed" ]]; then
            installed[$package]=1
        fi
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)
    for package in "$@"; do
        if [[ -z ${installed[$package]:-} ]]; then
            echo "$package"
        fi
    done
}

# Installs those of the packages "$@" that are missing; quick and silent when none is.
ensure_packages() {
    if ! command -v dpkg-query >/dev/null; then
        echo "note: not a Debian system; make sure the equivalents of these are installed: $*" >&2
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    header "Installing Debian packages: ${missing[*]}"
    # A policy-rc.d may forbid starting the services these packages bring (dovecot, postgresql).
    # That is fine: the tests start servers of their own.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Creates .venv if needed, and installs the project into it in editable mode, with the extras "$1"
# if given (e.g. "test"), unless that was done already for the current pyproject.toml.
ensure_venv() {
    local extras=${1:-}
    local target=$REPO_ROOT stamp=$VENV/.installed
    if [[ -n $extras ]]; then
        target="$REPO_ROOT[$extras]"
        stamp="$VENV/.installed-$extras"
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
            ensure_packages python3-venv # Debian's python3 ships venv support separately
        fi
        header "Creating $VENV"
        python3 -m venv "$VENV"
    fi
    local wanted
    wanted="$(sha256sum "$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [[ -x $VENV/bin/desktop-sync && -f $stamp && $(<"$stamp") == "$wanted" ]]; then
        return 0
    fi
    header "Installing desktop-sync${extras:+[$extras]} into .venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install --quiet --editable "$target"
    echo "$wanted" >"$stamp"
}
