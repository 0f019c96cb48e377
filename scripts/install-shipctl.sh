#!/usr/bin/env bash
# Installs a released shipctl on a GitHub Actions runner, verified against the
# sha256 table in this commit's action.yml (the root action runs it; so do the
# task actions under actions/ when shipctl is not on PATH yet). Pinning the
# action's commit therefore pins the binary's bytes. Verification has no off
# switch.
#
# Environment:
#   SHIPCTL_VERSION     X.Y.Z or vX.Y.Z; empty: the release action.yml names (inputs.version's default)
#   SHIPCTL_REPOSITORY  OWNER/REPO whose GitHub release to download from (the action's
#                       release-repository input, else the action's own repository)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT: set by the runner
#   SHIPCTL_DOWNLOAD_BASE_URL  tests only: replaces https://github.com/OWNER/REPO/releases/download
# The asset is downloaded from the release URL, not the rate-limited REST API.
set -euo pipefail

ACTION_YML="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/action.yml"

die() { echo "::error title=shipctl install::$*" >&2; exit 1; }

# The table: "<sha256>  shipctl_<version>_linux_<arch>.tar.gz" lines in action.yml.
checksum_table() {
  grep -Eo '[0-9a-f]{64}  shipctl_[0-9A-Za-z.-]+_linux_[a-z0-9]+\.tar\.gz' "$ACTION_YML" || true
}

default_version() {
  sed -n 's/^ *default: "\([^"]*\)" *# shipctl-release.*/\1/p' "$ACTION_YML"
}

# Debian/Go architecture names for the runner's RUNNER_ARCH.
asset_arch() {
  case ${RUNNER_ARCH:-} in
    X64) echo amd64 ;;
    ARM64) echo arm64 ;;
    *) die "shipctl has no release for RUNNER_ARCH='${RUNNER_ARCH:-}': use a Linux runner with X64 or ARM64" ;;
  esac
}

known_versions() {
  checksum_table | sed -E 's/.*shipctl_(.*)_linux_.*/\1/' | sort -uV | paste -sd, - | sed 's/,/, /g'
}

download() {
  local url=$1 out=$2 version=$3 protocols="=https"
  # Tests serve the assets over plain http on loopback.
  [[ -z ${SHIPCTL_DOWNLOAD_BASE_URL:-} ]] || protocols="=https,http"
  curl --fail --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
    --retry 3 --retry-connrefused --max-time 300 --output "$out" "$url" \
    || die "downloading $url failed (see above): check that ${SHIPCTL_REPOSITORY:-the repository} has release v$version with this asset; a fork without releases sets the action's release-repository input to the repository that published it (this action's sha256 table still decides what is installed)"
}

main() {
  [[ ${RUNNER_OS:-Linux} == Linux ]] || die "shipctl releases are for Linux runners, not RUNNER_OS=$RUNNER_OS"
  local arch version want asset base dir
  arch=$(asset_arch)
  version=${SHIPCTL_VERSION:-}
  [[ -n $version ]] || version=$(default_version)
  version=${version#v}
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] \
    || die "version '$version' is not a release number (X.Y.Z): set the action's version input to one"
  asset="shipctl_${version}_linux_${arch}.tar.gz"
  want=$(checksum_table | awk -v a="$asset" '$2 == a { print $1 }')
  if [[ -z $want && -z $(checksum_table) ]]; then
    die "this action's checksum table lists no release yet: pin a commit of the action made after a release (scripts/release --pin-action, docs/releasing.md)"
  fi
  [[ -n $want ]] || die "shipctl $version ($arch) is not in this action's checksum table (known: $(known_versions)): use a known version, or pin a newer commit of the action"
  base=${SHIPCTL_DOWNLOAD_BASE_URL:-https://github.com/${SHIPCTL_REPOSITORY:?SHIPCTL_REPOSITORY is not set}/releases/download}
  dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/shipctl-$version-$arch"
  mkdir -p "$dir"
  download "$base/v$version/$asset" "$dir/$asset" "$version"
  local got
  got=$(sha256sum "$dir/$asset" | cut -d' ' -f1)
  if [[ $got != "$want" ]]; then
    rm -f "$dir/$asset"
    die "$asset has sha256 $got, but this action pins $want: refusing to install it (a replaced or corrupted release asset)"
  fi
  tar -xzf "$dir/$asset" -C "$dir" --no-same-owner ./shipctl
  rm -f "$dir/$asset"
  "$dir/shipctl" --version >/dev/null || die "the verified shipctl $version does not run on this runner"
  echo "$dir" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
  { echo "path=$dir/shipctl"; echo "version=$version"; } >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
  echo "shipctl $version ($arch) installed at $dir/shipctl, sha256 $got verified"
}

main "$@"
