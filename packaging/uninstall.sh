#!/bin/sh
# Removes what install.sh put under ~/.local (or $PREFIX). Your data stays: the store in
# ~/.local/share/desktop-sync, the settings in ~/.config/desktop-sync, the logs in
# ~/.local/state/desktop-sync, and the passwords in your keyring.
set -eu
PREFIX=${PREFIX:-$HOME/.local}
APP=$PREFIX/lib/desktop-sync

if [ -L "$PREFIX/bin/desktop-sync" ] && [ "$(readlink "$PREFIX/bin/desktop-sync")" = "$APP/desktop-sync" ]; then
    rm -f "$PREFIX/bin/desktop-sync"
fi
rm -f "$PREFIX/share/applications/desktop-sync.desktop" \
    "$PREFIX/share/metainfo/io.github.desktopsync.DesktopSync.metainfo.xml" \
    "$PREFIX/share/icons/hicolor/scalable/apps/desktop-sync.svg" \
    "$PREFIX/share/icons/hicolor/256x256/apps/desktop-sync.png"
rm -rf "$APP"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/share/applications" || true
fi
echo "Desktop Sync is uninstalled from $PREFIX (your store, settings, logs and keyring entries are kept)."
