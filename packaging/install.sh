#!/bin/sh
# Installs this Desktop Sync bundle for the current user, under ~/.local (or $PREFIX):
#   $PREFIX/lib/desktop-sync/             the bundle (the executable and its _internal folder)
#   $PREFIX/bin/desktop-sync              a link to the executable
#   $PREFIX/share/applications/           the launcher entry
#   $PREFIX/share/icons/hicolor/          the icon
#   $PREFIX/share/metainfo/               the AppStream file
# Run it from the unpacked archive: ./install.sh ; undo with ./uninstall.sh (or
# ~/.local/lib/desktop-sync/uninstall.sh). Installing again replaces the previous installation.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
APP=$PREFIX/lib/desktop-sync

if [ ! -x "$HERE/desktop-sync" ] || [ ! -d "$HERE/_internal" ]; then
    echo "install.sh: error: run me from the unpacked Desktop Sync archive ($HERE has no desktop-sync bundle)" >&2
    exit 1
fi
if [ "$HERE" = "$APP" ]; then
    echo "install.sh: error: this is the installed copy; run install.sh from the unpacked archive" >&2
    exit 1
fi

rm -rf "$APP.new"
mkdir -p "$APP.new" "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo" \
    "$PREFIX/share/icons/hicolor/scalable/apps" "$PREFIX/share/icons/hicolor/256x256/apps"
cp -R "$HERE/desktop-sync" "$HERE/_internal" "$HERE/uninstall.sh" "$HERE/README.txt" "$APP.new/"
rm -rf "$APP"
mv "$APP.new" "$APP"
ln -sfn "$APP/desktop-sync" "$PREFIX/bin/desktop-sync"
# The launcher runs this installation's executable, wherever $PREFIX/bin stands in PATH.
sed "s|^Exec=desktop-sync|Exec=$APP/desktop-sync|" "$HERE/desktop-sync.desktop" \
    >"$PREFIX/share/applications/desktop-sync.desktop"
cp "$HERE/io.github.desktopsync.DesktopSync.metainfo.xml" "$PREFIX/share/metainfo/"
cp "$HERE/icons/desktop-sync.svg" "$PREFIX/share/icons/hicolor/scalable/apps/"
cp "$HERE/icons/desktop-sync.png" "$PREFIX/share/icons/hicolor/256x256/apps/"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/share/applications" || true
fi

echo "Desktop Sync is installed in $APP; start it from your launcher or with $PREFIX/bin/desktop-sync."
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "note: $PREFIX/bin is not in your PATH; add it to run desktop-sync by name." ;;
esac
