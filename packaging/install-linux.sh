#!/usr/bin/env bash
# Install Essay Marker for this user only (no root): the app, its menu entry, its icon and
# the .markset file type (double-click a set to open it).
#   bash packaging/install-linux.sh            install (the frozen build when dist/essay-marker
#                                              exists, else a venv with pip install of this checkout)
#   bash packaging/install-linux.sh --no-app   only the desktop integration (menu, icons, mime)
#   bash packaging/install-linux.sh --uninstall
# Everything goes under ~/.local (XDG_DATA_HOME when set): share/essay-marker/ (the app),
# bin/essay-marker (a link), share/applications, share/mime/packages, share/icons/hicolor.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
app=1 uninstall=0
for arg in "$@"; do
  case "$arg" in
    --no-app) app=0 ;;
    --uninstall) uninstall=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
appdir=$data/essay-marker
icons=$root/resources/icons
sizes=(16 24 32 48 64 128 256 512)

refresh() {
  if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime" || true; fi
  if command -v update-desktop-database >/dev/null; then update-desktop-database "$data/applications" || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t "$data/icons/hicolor" || true; fi
}

if ((uninstall)); then
  rm -rf "$appdir"
  rm -f "$bin/essay-marker" "$data/applications/essay-marker.desktop" \
        "$data/mime/packages/essay-marker-mime.xml" "$data/icons/hicolor/scalable/apps/essay-marker.svg"
  for s in "${sizes[@]}"; do rm -f "$data/icons/hicolor/${s}x${s}/apps/essay-marker.png"; done
  refresh
  echo "Essay Marker removed (your marking sets are kept)."
  exit 0
fi

mkdir -p "$bin" "$data/applications" "$data/mime/packages" "$data/icons/hicolor/scalable/apps"

if ((app)); then
  if [[ -x $root/dist/essay-marker/essay-marker ]]; then
    echo "Installing the built app from dist/essay-marker"
    rm -rf "$appdir/app"
    mkdir -p "$appdir"
    cp -a "$root/dist/essay-marker" "$appdir/app"
    target=$appdir/app/essay-marker
  else
    echo "Installing into a virtual environment in $appdir/venv (pip install $root)"
    python=${PYTHON:-python3}
    "$python" -m venv "$appdir/venv"
    "$appdir/venv/bin/python" -m pip --disable-pip-version-check -q install --upgrade "$root"
    target=$appdir/venv/bin/essay-marker
  fi
  ln -sf "$target" "$bin/essay-marker"
  exec_line="Exec=\"$target\" %f"
else
  exec_line="Exec=essay-marker %f"
fi

# the menu entry: the full path of the installed app, so it works when ~/.local/bin is not on PATH
sed "s|^Exec=.*|$exec_line|" "$here/linux/essay-marker.desktop" > "$data/applications/essay-marker.desktop"
chmod 644 "$data/applications/essay-marker.desktop"
cp "$here/linux/essay-marker-mime.xml" "$data/mime/packages/essay-marker-mime.xml"
cp "$icons/essay-marker.svg" "$data/icons/hicolor/scalable/apps/essay-marker.svg"
for s in "${sizes[@]}"; do
  if [[ -f $icons/essay-marker-$s.png ]]; then
    mkdir -p "$data/icons/hicolor/${s}x${s}/apps"
    cp "$icons/essay-marker-$s.png" "$data/icons/hicolor/${s}x${s}/apps/essay-marker.png"
  fi
done
refresh
echo "Essay Marker installed: find it in the menu (Education), or run $bin/essay-marker"
