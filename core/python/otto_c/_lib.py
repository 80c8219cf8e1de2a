"""ctypes declarations of libotto's public API (core/include/otto/otto.h).

Only what the backend objects need: the registry, opening a backend with a
configuration built here, its calls, and the result structs. Structs are
declared field for field as the C headers lay them out; libotto is found
beside this package (the path CMake wrote into _paths.py), else through
OTTO_LIBOTTO, else through the system loader.
"""

import ctypes
import ctypes.util
import os

OTTO_OK = 0
OTTO_ERROR = -1
OTTO_ENOTFOUND = -2
OTTO_EINVALID = -3
OTTO_ENOMEM = -4
OTTO_ECONFLICT = -5
OTTO_ENOTSUPPORTED = -10
OTTO_ENOBACKEND = -11
OTTO_EPLUGIN = -12
OTTO_ESETTINGS = -13
OTTO_EIO = -14
OTTO_ECHECK = -15

OTTO_KIND_LAB = 1
OTTO_KIND_RESERVATION = 2

OTTO_VALUE_STRING = 1
OTTO_VALUE_INTEGER = 2
OTTO_VALUE_BOOLEAN = 3
OTTO_VALUE_ARRAY = 4

OTTO_NO_NUMBER = -1
OTTO_ERROR_MESSAGE_MAX = 1024

c_char_pp = ctypes.POINTER(ctypes.c_char_p)


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * OTTO_ERROR_MESSAGE_MAX)]


class Setting(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_char_p),
        ("type", ctypes.c_int),
        ("string", ctypes.c_char_p),
        ("integer", ctypes.c_int64),
        ("boolean", ctypes.c_bool),
        ("items", c_char_pp),
        ("n_items", ctypes.c_size_t),
        ("file", ctypes.c_char_p),
        ("line", ctypes.c_uint),
    ]


class Config(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("backend", ctypes.c_char_p),
        ("section", ctypes.c_char_p),
        ("repo_root", ctypes.c_char_p),
        ("url", ctypes.c_char_p),
        ("settings", ctypes.POINTER(Setting)),
        ("n_settings", ctypes.c_size_t),
    ]


class StrList(ctypes.Structure):
    _fields_ = [("count", ctypes.c_size_t), ("items", c_char_pp)]


class CredRec(ctypes.Structure):
    _fields_ = [("login", ctypes.c_char_p), ("password", ctypes.c_char_p)]


class HostRec(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_char_p),
        ("id", ctypes.c_char_p),
        ("ip", ctypes.c_char_p),
        ("element", ctypes.c_char_p),
        ("element_id", ctypes.c_int64),
        ("board", ctypes.c_char_p),
        ("slot", ctypes.c_int64),
        ("os_type", ctypes.c_char_p),
        ("resources", StrList),
        ("labs", StrList),
        ("docker_capable", ctypes.c_bool),
        ("n_creds", ctypes.c_size_t),
        ("creds", ctypes.POINTER(CredRec)),
        ("extra_json", ctypes.c_char_p),
    ]


class EndpointRec(ctypes.Structure):
    _fields_ = [("host", ctypes.c_char_p), ("interface", ctypes.c_char_p)]


class LinkRec(ctypes.Structure):
    _fields_ = [
        ("n_endpoints", ctypes.c_size_t),
        ("endpoints", ctypes.POINTER(EndpointRec)),
        ("protocol", ctypes.c_char_p),
        ("extra_json", ctypes.c_char_p),
    ]


class Lab(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("resources", StrList),
        ("n_hosts", ctypes.c_size_t),
        ("hosts", ctypes.POINTER(HostRec)),
        ("n_links", ctypes.c_size_t),
        ("links", ctypes.POINTER(LinkRec)),
    ]


class SummaryRec(ctypes.Structure):
    _fields_ = [
        ("id", ctypes.c_char_p),
        ("labs", StrList),
        ("ip", ctypes.c_char_p),
        ("element", ctypes.c_char_p),
        ("element_id", ctypes.c_int64),
        ("docker_capable", ctypes.c_bool),
    ]


class SummaryList(ctypes.Structure):
    _fields_ = [("count", ctypes.c_size_t), ("items", ctypes.POINTER(SummaryRec))]


class WindowRec(ctypes.Structure):
    _fields_ = [("resource", ctypes.c_char_p), ("start", ctypes.c_int64), ("end", ctypes.c_int64)]


class WindowList(ctypes.Structure):
    _fields_ = [("count", ctypes.c_size_t), ("items", ctypes.POINTER(WindowRec))]


WARNING_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)

P = ctypes.POINTER
_SIGNATURES = {
    "otto_status_name": (ctypes.c_char_p, [ctypes.c_int]),
    "otto_registry_new": (ctypes.c_int, [P(ctypes.c_void_p), P(Error)]),
    "otto_registry_free": (None, [ctypes.c_void_p]),
    "otto_registry_add_dir": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, P(Error)]),
    "otto_registry_add_path_list": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, P(Error)]),
    "otto_registry_add_default_dirs": (ctypes.c_int, [ctypes.c_void_p, P(Error)]),
    "otto_registry_scan": (ctypes.c_int, [ctypes.c_void_p, P(Error)]),
    "otto_lab_repository_open": (
        ctypes.c_int,
        [P(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_char_p, P(Config), P(Error)],
    ),
    "otto_lab_repository_free": (None, [ctypes.c_void_p]),
    "otto_lab_repository_name": (ctypes.c_char_p, [ctypes.c_void_p]),
    "otto_lab_repository_list_labs": (ctypes.c_int, [ctypes.c_void_p, P(StrList), P(Error)]),
    "otto_lab_repository_load_lab": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, P(Config), P(P(Lab)), P(Error)],
    ),
    "otto_lab_repository_has_summaries": (ctypes.c_bool, [ctypes.c_void_p]),
    "otto_lab_repository_host_summaries": (ctypes.c_int, [ctypes.c_void_p, P(SummaryList), P(Error)]),
    "otto_lab_free": (None, [P(Lab)]),
    "otto_summary_list_free": (None, [P(SummaryList)]),
    "otto_strlist_free": (None, [P(StrList)]),
    "otto_window_list_free": (None, [P(WindowList)]),
    "otto_reservation_backend_open": (
        ctypes.c_int,
        [P(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_char_p, P(Config), P(Error)],
    ),
    "otto_reservation_backend_free": (None, [ctypes.c_void_p]),
    "otto_reservation_backend_name": (ctypes.c_char_p, [ctypes.c_void_p]),
    "otto_reservation_backend_reserved_resources": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, P(StrList), P(Error)],
    ),
    "otto_reservation_backend_who_reserved": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, P(StrList), P(Error)],
    ),
    "otto_reservation_backend_has_usernames": (ctypes.c_bool, [ctypes.c_void_p]),
    "otto_reservation_backend_list_usernames": (ctypes.c_int, [ctypes.c_void_p, P(StrList), P(Error)]),
    "otto_reservation_backend_has_windows": (ctypes.c_bool, [ctypes.c_void_p]),
    "otto_reservation_backend_windows": (
        ctypes.c_int,
        [ctypes.c_void_p, ctypes.c_char_p, P(WindowList), P(Error)],
    ),
    "otto_set_warning_handler": (None, [WARNING_FN, ctypes.c_void_p]),
}


def _candidates():
    env = os.environ.get("OTTO_LIBOTTO")
    if env:
        yield env
        return
    try:
        from . import _paths  # written by CMake: where libotto lies from here
    except ImportError:
        _paths = None
    if _paths is not None:
        here = os.path.dirname(os.path.abspath(__file__))
        yield os.path.normpath(os.path.join(here, _paths.LIBOTTO_FROM_PACKAGE))
    yield "libotto.so.0"
    found = ctypes.util.find_library("otto")
    if found:
        yield found


def load():
    """Load libotto and declare its functions; raise OSError naming every place tried."""
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} (no such file)")
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        return lib
    raise OSError("cannot load libotto: tried " + "; ".join(tried) + " (set OTTO_LIBOTTO to its path)")


def text(value):
    """A C string from libotto as str (names may hold any bytes: undecodable ones survive)."""
    return None if value is None else value.decode("utf-8", "surrogateescape")


def strlist(lst):
    return [text(lst.items[i]) for i in range(lst.count)]
