# shellcheck shell=bash
# Shared helpers for scripts/test and scripts/demo.  Source, don't run.

# Debian packages needed to build and test tempitch (used by the scripts
# that source this file); valgrind and time (/usr/bin/time, peak memory)
# for the fault tests; make, GNU parallel and python3 (JSON checks) for
# the pipeline tests (tests/integration/pipe.sh); sox for the pipe chain
# test (tests/integration/streams.sh); lmms-common (8 MB of samples) for the
# real recordings of the music regression test (music_regress.c);
# python3-dev, python3-numpy and python3-pytest for the Python module and
# its tests (python/, tests/python/).
# shellcheck disable=SC2034
TEMPITCH_PACKAGES=(meson ninja-build pkg-config gcc libfftw3-dev
    libsndfile1-dev libcmocka-dev valgrind time make parallel python3 sox
    lmms-common python3-dev python3-numpy python3-pytest)
# What only scripts/test needs besides: Slurm (slurmd, slurmctld,
# slurm-client, munge) for the single-node cluster that
# tests/integration/pipe.sh starts for scripts/cluster/slurm-shards.sbatch;
# python3-soundfile for the README's Python example (tests/python).
# shellcheck disable=SC2034
TEMPITCH_TEST_PACKAGES=(slurmd slurmctld slurm-client munge python3-soundfile)

log() {
    printf '==> [%d s] %s\n' "$SECONDS" "$*"
}

die() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

# ensure_packages PKG...: installs the missing ones with apt-get.  The
# package index is only refreshed when an install fails, so a machine that
# has everything (or a fresh CI runner with a current index) does no
# network work.  Without dpkg (not Debian) nothing is installed and the
# build reports what is missing.
ensure_packages() {
    if ! command -v dpkg >/dev/null 2>&1; then
        log "no dpkg here; assuming build dependencies are installed"
        return 0
    fi
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed' ||
            missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0

    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 ||
            die "missing packages (${missing[*]}) and no sudo to install them"
        sudo=(sudo)
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    log "installing ${missing[*]}"
    if ! "${apt[@]}" install -y -q "${missing[@]}" </dev/null; then
        log "install failed; refreshing the package index and retrying"
        "${apt[@]}" update -q </dev/null
        "${apt[@]}" install -y -q "${missing[@]}" </dev/null
    fi
}

# setup_build DIR [MESON OPTIONS...]: configures DIR, reusing it when it is
# already a build directory (fast incremental builds) and wiping it when
# reconfiguring fails (e.g. after a Meson upgrade).
setup_build() {
    local dir=$1
    shift
    if [[ -f $dir/meson-private/coredata.dat ]]; then
        meson setup --reconfigure "$dir" "$@" ||
            meson setup --wipe "$dir" "$@"
    else
        rm -rf "$dir"
        meson setup "$dir" "$@"
    fi
}
