# Shared by the .ci/install-*.sh scripts: install Debian packages as root or with sudo,
# refreshing the package lists once per machine boot (the first script that needs it does).
apt_install() {
    name=$1
    shift
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-$name: apt-get unavailable; install these Debian packages: $*" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ ! -e /tmp/.watcher-ci-apt-updated ]; then
        $sudo apt-get update -q
        touch /tmp/.watcher-ci-apt-updated
    fi
    $sudo apt-get install -y -q --no-install-recommends "$@"
}
