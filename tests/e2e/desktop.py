"""The desktop around the app's window in the end-to-end tests: whether its X11 window is shown, the notification
server (dunst), and the tray. (Closing the window as its close button does is `x11close.py`.)

The tray part speaks D-Bus and runs under the system's Python (python3-dbus, python3-gi):
  /usr/bin/python3 desktop.py watch FILE     a StatusNotifierWatcher (the host side a desktop's panel runs):
                                             writes "bus-name object-path" of each tray item registered to FILE
  /usr/bin/python3 desktop.py menu FILE      the last registered item's menu (dbusmenu) as JSON
  /usr/bin/python3 desktop.py status FILE    its status: Active (shown) or Passive (hidden)
  /usr/bin/python3 desktop.py click FILE L   clicks the menu item labelled L, as a panel does
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import time

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = pathlib.Path(__file__).resolve()


# --- X11: the window --------------------------------------------------------------------------------------

def window_ids(title):
    """The X11 windows titled `title` (the app's toplevel), from `xwininfo -root -tree`."""
    out = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=True).stdout
    return [m.group(1) for m in re.finditer(r"^\s*(0x[0-9a-f]+) \"" + re.escape(title) + r"\"", out, re.M)]


def is_viewable(wid):
    out = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
    return "Map State: IsViewable" in out


def shown_window(title):
    """The id of the window titled `title` that is shown, or None."""
    return next((w for w in window_ids(title) if is_viewable(w)), None)


# --- the notification server -------------------------------------------------------------------------------

def dunstctl(*args):
    return subprocess.run(["dunstctl", *args], capture_output=True, text=True, check=True).stdout


def notification_history():
    """(summary, body) of each notification dunst has closed, newest first."""
    data = json.loads(dunstctl("history"))
    return [(n["summary"]["data"], n["body"]["data"]) for n in data["data"][0]]


def notifications_shown():
    return int(dunstctl("count", "displayed").strip())


# --- the tray, through the test's own StatusNotifierWatcher (system Python) ---------------------------------

def start_watcher(path):
    """Starts the watcher; returns its process (it must run before the app shows its tray icon)."""
    proc = subprocess.Popen([SYSTEM_PYTHON, str(HERE), "watch", str(path)], stdout=subprocess.DEVNULL,
                            stderr=open(str(path) + ".log", "w"))
    deadline = time.time() + 20
    while not os.path.exists(str(path) + ".ready") and time.time() < deadline:
        assert proc.poll() is None, f"the tray watcher exited: {pathlib.Path(str(path) + '.log').read_text()}"
        time.sleep(0.1)
    return proc


def tray_items(path):
    return pathlib.Path(path).read_text().split() if os.path.exists(path) else []


def tray_menu(path):
    """The labels of the tray's menu items, with whether each is enabled; None when no item is registered."""
    out = subprocess.run([SYSTEM_PYTHON, str(HERE), "menu", str(path)], capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else None


def tray_status(path):
    """The tray item's status: "Active" while shown, "Passive" while hidden; None when no item is registered."""
    out = subprocess.run([SYSTEM_PYTHON, str(HERE), "status", str(path)], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def tray_click(path, label):
    subprocess.run([SYSTEM_PYTHON, str(HERE), "click", str(path), label], check=True, capture_output=True)


def _watch(path):
    import dbus
    import dbus.service
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    iface = "org.kde.StatusNotifierWatcher"

    class Watcher(dbus.service.Object):
        items = []

        @dbus.service.method(iface, in_signature="s", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            # An item names its object path (appindicator) or its bus name.
            name, obj = (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
            self.items.append(f"{name}{obj}")
            with open(path, "a") as f:
                f.write(f"{name} {obj}\n")
            self.StatusNotifierItemRegistered(f"{name}{obj}")

        @dbus.service.method(iface, in_signature="s")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(iface, signature="s")
        def StatusNotifierItemRegistered(self, service):
            pass

        @dbus.service.signal(iface, signature="")
        def StatusNotifierHostRegistered(self):
            pass

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
        def Get(self, interface, prop):
            return self.GetAll(interface)[prop]

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
        def GetAll(self, interface):
            return {"RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                    "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                    "ProtocolVersion": dbus.Int32(0)}

    name = dbus.service.BusName(iface, bus)
    Watcher(name, "/StatusNotifierWatcher")
    pathlib.Path(str(path) + ".ready").write_text("ready\n")
    GLib.MainLoop().run()


def _menu(path):
    import dbus
    name, obj = tray_items(path)[-2:]
    bus = dbus.SessionBus()
    item = bus.get_object(name, obj)
    menu_path = item.Get("org.kde.StatusNotifierItem", "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
    menu = dbus.Interface(bus.get_object(name, menu_path), "com.canonical.dbusmenu")
    _, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"))
    entries = []

    def walk(node):
        ident, props, children = node
        if "label" in props:
            entries.append({"id": int(ident), "label": str(props["label"]).replace("_", ""),
                            "enabled": bool(props.get("enabled", True)),
                            "visible": bool(props.get("visible", True))})
        for child in children:
            walk(child)

    walk(layout)
    return menu, entries


def main(argv):
    command, path = argv[1], argv[2]
    if command == "watch":
        _watch(path)
    elif command == "menu":
        _, entries = _menu(path)
        print(json.dumps(entries))
    elif command == "status":
        import dbus
        name, obj = tray_items(path)[-2:]
        item = dbus.SessionBus().get_object(name, obj)
        print(item.Get("org.kde.StatusNotifierItem", "Status", dbus_interface=dbus.PROPERTIES_IFACE))
    elif command == "click":
        import dbus
        menu, entries = _menu(path)
        ident = next(e["id"] for e in entries if e["label"] == argv[3])
        menu.Event(dbus.Int32(ident), "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(int(time.time())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
