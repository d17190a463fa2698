"""Closes an app's window as the user's click on its close button does: the window manager's request
(a WM_DELETE_WINDOW client message) sent to the app's top-level windows on the X display, through libX11 with
ctypes (nothing to install)."""

import ctypes
import ctypes.util

_x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
_x.XOpenDisplay.restype = ctypes.c_void_p
_x.XOpenDisplay.argtypes = [ctypes.c_char_p]
_x.XDefaultRootWindow.restype = ctypes.c_ulong
_x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
_x.XInternAtom.restype = ctypes.c_ulong
_x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                          ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)), ctypes.POINTER(ctypes.c_uint)]
_x.XGetWindowProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
                                  ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
                                  ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                                  ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte))]
_x.XFree.argtypes = [ctypes.c_void_p]
_x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
_x.XFlush.argtypes = [ctypes.c_void_p]
_x.XCloseDisplay.argtypes = [ctypes.c_void_p]


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("client", _ClientMessage), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33


def _pid_of(display, window, atom):
    kind, fmt = ctypes.c_ulong(), ctypes.c_int()
    n, after = ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.POINTER(ctypes.c_ubyte)()
    if _x.XGetWindowProperty(display, window, atom, 0, 1, 0, 0, ctypes.byref(kind), ctypes.byref(fmt),
                             ctypes.byref(n), ctypes.byref(after), ctypes.byref(data)) != 0 or not data:
        return None
    try:
        return ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0] if n.value else None
    finally:
        _x.XFree(data)


class _Attributes(ctypes.Structure):
    """XWindowAttributes."""
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
                ("root", ctypes.c_ulong), ("klass", ctypes.c_int), ("bit_gravity", ctypes.c_int),
                ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
                ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
                ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
                ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p)]


_x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_Attributes)]


def _managed(display, window):
    """Whether a window manager would give the window a close button: not a popup (tooltip, menu), which sets
    override-redirect and is never managed. (GTK destroys a popup asked to close, and crashes on its next use.)"""
    attributes = _Attributes()
    return bool(_x.XGetWindowAttributes(display, window, ctypes.byref(attributes))) and not attributes.override_redirect


def close_windows_of(pids):
    """Asks every top-level window of the processes `pids` that a window manager manages (not its tooltips and
    menus) to close; answers how many were asked."""
    display = _x.XOpenDisplay(None)
    if not display:
        raise RuntimeError("no X display")
    try:
        pid_atom = _x.XInternAtom(display, b"_NET_WM_PID", 0)
        protocols = _x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        delete = _x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        _x.XQueryTree(display, _x.XDefaultRootWindow(display), ctypes.byref(root), ctypes.byref(parent),
                      ctypes.byref(children), ctypes.byref(count))
        asked = 0
        for i in range(count.value):
            window = children[i]
            if _pid_of(display, window, pid_atom) not in pids or not _managed(display, window):
                continue
            event = _Event()
            event.client.type = CLIENT_MESSAGE
            event.client.window = window
            event.client.message_type = protocols
            event.client.format = 32
            event.client.l[0] = delete
            _x.XSendEvent(display, window, 0, 0, ctypes.byref(event))
            asked += 1
        if children:
            _x.XFree(children)
        _x.XFlush(display)
        return asked
    finally:
        _x.XCloseDisplay(display)
