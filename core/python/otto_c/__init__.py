"""otto-c backends inside Python otto.

Any otto-c backend plugin (a .so file found the way the otto command finds
it) becomes an object with upstream otto-sh's LabRepository or
ReservationBackend methods, through ctypes over libotto's public API. In an
otto-sh init module:

    from otto.labs.registry import register_lab_repository
    import otto_c
    register_lab_repository("json-c", otto_c.lab_repository("json"))

then `[[lab.sources]] backend = "json-c"` with the backend's keys inline.
When upstream otto is importable, load_lab returns upstream's own Lab (its
hosts built by upstream's host factory from otto-c's records) and failures
raise upstream's error classes; without it, plain records (_records.py) and
this module's classes. docs/python.md says more.
"""

import ctypes
import json
import os
from datetime import datetime, timezone

from . import _lib, _records, _upstream

__all__ = [
    "OttoCError",
    "LabRepositoryError",
    "LabNotFoundError",
    "ReservationBackendError",
    "lab_repository",
    "reservation_backend",
    "open_lab_repository",
    "open_reservation_backend",
]

_FAR_FUTURE = 253402300799  # 9999-12-31T23:59:59Z, libotto's open end


class OttoCError(Exception):
    """A libotto call failed; `status` is libotto's code, `status_name` its name."""

    status = _lib.OTTO_ERROR
    status_name = "ERROR"


class LabRepositoryError(OttoCError):
    """A lab backend failed (upstream: otto.labs.errors.LabRepositoryError)."""


class LabNotFoundError(LabRepositoryError):
    """No lab of that name (upstream: otto.labs.errors.LabNotFoundError)."""


class ReservationBackendError(OttoCError):
    """A reservation backend failed (upstream: otto.reservations.check.ReservationBackendError)."""


_lib_handle = None
_warning_cb = None


def _libotto():
    global _lib_handle, _warning_cb
    if _lib_handle is None:
        lib = _lib.load()

        def on_warning(message, _ud):
            import warnings

            warnings.warn(_lib.text(message), RuntimeWarning, stacklevel=3)

        # libotto's warnings (a listing that skipped a broken lab file, a
        # layered source overriding a host) become Python warnings.
        _warning_cb = _lib.WARNING_FN(on_warning)
        lib.otto_set_warning_handler(_warning_cb, None)
        _lib_handle = lib
    return _lib_handle


def _error_class(kind, status):
    up = _upstream.get()
    if kind == "lab":
        if status == _lib.OTTO_ENOTFOUND:
            return up["LabNotFoundError"] if up else LabNotFoundError
        return up["LabRepositoryError"] if up else LabRepositoryError
    return up["ReservationBackendError"] if up else ReservationBackendError


def _raise(kind, status, message):
    name = _libotto().otto_status_name(status)
    exc = _error_class(kind, status)(message)
    exc.status = status
    exc.status_name = _lib.text(name) if name else str(status)
    raise exc


def _check(kind, status, err):
    if status != _lib.OTTO_OK:
        _raise(kind, status, _lib.text(err.message))


class _Config:
    """An otto_config built from keyword arguments, kept alive while in use."""

    def __init__(self, backend, section, repo_dir, url, settings):
        self._keep = []
        items = []
        for key, value in settings.items():
            s = _lib.Setting()
            s.key = self._b(key)
            s.file = self._b("<python>")
            s.line = 0
            if isinstance(value, bool):
                s.type, s.boolean, s.string = _lib.OTTO_VALUE_BOOLEAN, value, self._b("true" if value else "false")
            elif isinstance(value, int):
                s.type, s.integer, s.string = _lib.OTTO_VALUE_INTEGER, value, self._b(str(value))
            elif isinstance(value, (str, os.PathLike)):
                s.type, s.string = _lib.OTTO_VALUE_STRING, self._b(os.fspath(value))
            elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, os.PathLike)) for v in value):
                arr = (ctypes.c_char_p * (len(value) + 1))(*[self._b(os.fspath(v)) for v in value], None)
                self._keep.append(arr)
                s.type, s.items, s.n_items = _lib.OTTO_VALUE_ARRAY, arr, len(value)
                s.string = self._b("[" + ", ".join(json.dumps(os.fspath(v)) for v in value) + "]")
            else:
                raise TypeError(
                    f"setting {key!r} of backend {backend!r}: {type(value).__name__} values cannot be handed "
                    "to an otto-c backend (strings, integers, booleans and lists of strings can)"
                )
            items.append(s)
        self._settings = (_lib.Setting * max(len(items), 1))(*items)
        self.c = _lib.Config()
        self.c.struct_size = ctypes.sizeof(_lib.Config)
        self.c.backend = self._b(backend)
        self.c.section = self._b(section)
        self.c.repo_root = self._b(os.path.abspath(os.fspath(repo_dir)))
        self.c.url = self._b(url) if url is not None else None
        self.c.settings = self._settings
        self.c.n_settings = len(items)

    def _b(self, s):
        b = s.encode("utf-8", "surrogateescape")
        self._keep.append(b)
        return b


def _registry(plugin_dirs):
    lib = _libotto()
    err = _lib.Error()
    reg = ctypes.c_void_p()
    _check("lab", lib.otto_registry_new(ctypes.byref(reg), ctypes.byref(err)), err)
    try:
        for d in plugin_dirs:
            _check("lab", lib.otto_registry_add_dir(reg, os.fspath(d).encode(), ctypes.byref(err)), err)
        env = os.environ.get("OTTO_PLUGIN_PATH")
        if env:
            _check("lab", lib.otto_registry_add_path_list(reg, env.encode(), ctypes.byref(err)), err)
        _check("lab", lib.otto_registry_add_default_dirs(reg, ctypes.byref(err)), err)
        _check("lab", lib.otto_registry_scan(reg, ctypes.byref(err)), err)
    except BaseException:
        lib.otto_registry_free(reg)
        raise
    return reg


def _strings(kind, fn, *args):
    err = _lib.Error()
    lst = _lib.StrList()
    _check(kind, fn(*args, ctypes.byref(lst), ctypes.byref(err)), err)
    try:
        return _lib.strlist(lst)
    finally:
        _libotto().otto_strlist_free(ctypes.byref(lst))


def _number(v):
    return None if v == _lib.OTTO_NO_NUMBER else v


def _host_record(h):
    extra = json.loads(_lib.text(h.extra_json)) if h.extra_json else {}
    creds = []
    for i in range(h.n_creds):
        c = {"login": _lib.text(h.creds[i].login)}
        if h.creds[i].password is not None:
            c["password"] = _lib.text(h.creds[i].password)
        creds.append(c)
    return _records.HostRecord(
        id=_lib.text(h.id),
        ip=_lib.text(h.ip),
        element=_lib.text(h.element),
        element_id=_number(h.element_id),
        board=_lib.text(h.board),
        slot=_number(h.slot),
        os_type=_lib.text(h.os_type),
        resources=set(_lib.strlist(h.resources)),
        labs=_lib.strlist(h.labs),
        docker_capable=bool(h.docker_capable),
        creds=creds,
        extra=extra,
    )


def _link_record(link):
    ends = [
        _records.LinkEndpoint(_lib.text(link.endpoints[i].host), _lib.text(link.endpoints[i].interface))
        for i in range(link.n_endpoints)
    ]
    extra = json.loads(_lib.text(link.extra_json)) if link.extra_json else {}
    name, impair = extra.pop("name", None), extra.pop("impair", None)
    a = ends[0]
    b = ends[1] if len(ends) > 1 else ends[0]
    return _records.LinkRecord(a, b, _lib.text(link.protocol), name, impair, extra)


def _time(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc) if seconds < _FAR_FUTURE else datetime(
        9999, 1, 1, tzinfo=timezone.utc
    )


class _Backend:
    _kind = "lab"

    def __init__(self, backend, plugin_dirs, repo_dir, url, settings):
        self._lib = _libotto()
        self._handle = None
        self._reg = _registry(plugin_dirs)
        section = f"{'lab' if self._kind == 'lab' else 'reservations'}.{backend}"
        config = _Config(backend, section, repo_dir if repo_dir is not None else os.getcwd(), url, settings)
        err = _lib.Error()
        handle = ctypes.c_void_p()
        opener = self._lib.otto_lab_repository_open if self._kind == "lab" else self._lib.otto_reservation_backend_open
        status = opener(ctypes.byref(handle), self._reg, backend.encode(), ctypes.byref(config.c), ctypes.byref(err))
        if status != _lib.OTTO_OK:
            self.close()
            _raise(self._kind, status, _lib.text(err.message))
        self._handle = handle

    def close(self):
        """Release the backend (destroy()) and its registry; idempotent."""
        if getattr(self, "_handle", None):
            if self._kind == "lab":
                self._lib.otto_lab_repository_free(self._handle)
            else:
                self._lib.otto_reservation_backend_free(self._handle)
            self._handle = None
        if getattr(self, "_reg", None):
            self._lib.otto_registry_free(self._reg)
            self._reg = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _h(self):
        if not self._handle:
            _raise(self._kind, _lib.OTTO_EINVALID, "this otto-c backend was closed")
        return self._handle


class LabRepository(_Backend):
    """An otto-c lab backend with upstream's LabRepository methods (and
    list_host_summaries, which libotto answers for every backend)."""

    _kind = "lab"

    def list_labs(self):
        """Every lab name, sorted (as upstream's built-ins answer)."""
        return sorted(_strings("lab", self._lib.otto_lab_repository_list_labs, self._h()))

    def _load(self, name):
        err = _lib.Error()
        lab = ctypes.POINTER(_lib.Lab)()
        status = self._lib.otto_lab_repository_load_lab(
            self._h(), name.encode("utf-8", "surrogateescape"), None, ctypes.byref(lab), ctypes.byref(err)
        )
        _check("lab", status, err)
        try:
            c = lab.contents
            hosts = [_host_record(c.hosts[i]) for i in range(c.n_hosts)]
            links = [_link_record(c.links[i]) for i in range(c.n_links)]
            return set(_lib.strlist(c.resources)), hosts, links
        finally:
            self._lib.otto_lab_free(lab)

    def load_lab(self, name, preferences=None):
        """Lab `name`, built afresh: upstream's Lab when otto-sh is importable
        (preferences go to its host factory), else a LabRecord."""
        resources, hosts, links = self._load(name)
        up = _upstream.get()
        if up is None:
            return _records.LabRecord(name, resources, {h.id: h for h in hosts}, links)
        foreign = {}

        def foreign_host(host_id):
            # A link end on a host of another lab: its record, for its address.
            if host_id not in foreign:
                foreign[host_id] = None
                for s in self.list_host_summaries():
                    if s.id == host_id and s.labs:
                        _, other, _ = self._load(s.labs[0])
                        foreign[host_id] = next((h for h in other if h.id == host_id), None)
                        break
            return foreign[host_id]

        lab = _upstream.build_lab(up, name, hosts, links, preferences, foreign_host)
        lab.resources.update(resources)
        return lab

    def list_host_summaries(self):
        """One summary per host id, in the backend's order (json: sorted by id)."""
        err = _lib.Error()
        lst = _lib.SummaryList()
        _check("lab", self._lib.otto_lab_repository_host_summaries(self._h(), ctypes.byref(lst), ctypes.byref(err)), err)
        up = _upstream.get()
        cls = up["HostSummary"] if up else _records.HostSummary
        try:
            return [
                cls(
                    id=_lib.text(s.id),
                    labs=_lib.strlist(s.labs),
                    ip=_lib.text(s.ip),
                    element=_lib.text(s.element),
                    element_id=_number(s.element_id),
                    docker_capable=bool(s.docker_capable),
                )
                for s in (lst.items[i] for i in range(lst.count))
            ]
        finally:
            self._lib.otto_summary_list_free(ctypes.byref(lst))


class ReservationBackend(_Backend):
    """An otto-c reservation backend with upstream's ReservationBackend
    methods; list_usernames and get_reservation_windows exist only when the
    backend implements them (upstream checks capabilities by attribute)."""

    _kind = "reservation"

    def __init__(self, *args):
        super().__init__(*args)
        if self._lib.otto_reservation_backend_has_usernames(self._handle):
            self.list_usernames = self._list_usernames
        if self._lib.otto_reservation_backend_has_windows(self._handle):
            self.get_reservation_windows = self._windows

    def backend_name(self):
        name = self._lib.otto_reservation_backend_name(self._h())
        if name is None:
            _raise("reservation", _lib.OTTO_EPLUGIN, "the backend's backend_name() returned nothing")
        return _lib.text(name)

    def get_reserved_resources(self, username):
        return set(
            _strings("reservation", self._lib.otto_reservation_backend_reserved_resources, self._h(), username.encode())
        )

    def who_reserved(self, resource):
        return _strings("reservation", self._lib.otto_reservation_backend_who_reserved, self._h(), resource.encode())

    def _list_usernames(self):
        return _strings("reservation", self._lib.otto_reservation_backend_list_usernames, self._h())

    def _windows(self, username):
        err = _lib.Error()
        lst = _lib.WindowList()
        status = self._lib.otto_reservation_backend_windows(
            self._h(), username.encode(), ctypes.byref(lst), ctypes.byref(err)
        )
        _check("reservation", status, err)
        up = _upstream.get()
        cls = up["ReservationWindow"] if up else _records.ReservationWindow
        try:
            return [
                cls(resource=_lib.text(w.resource), start=_time(w.start), end=_time(w.end))
                for w in (lst.items[i] for i in range(lst.count))
            ]
        finally:
            self._lib.otto_window_list_free(ctypes.byref(lst))


def open_lab_repository(backend, *, plugin_dirs=(), repo_dir=None, **settings):
    """Open otto-c lab backend `backend` now, with `settings` as its keys."""
    return LabRepository(backend, list(plugin_dirs), repo_dir, None, settings)


def open_reservation_backend(backend, *, plugin_dirs=(), repo_dir=None, url=None, **settings):
    """Open otto-c reservation backend `backend` now, with `settings` as its keys."""
    return ReservationBackend(backend, list(plugin_dirs), repo_dir, url, settings)


def lab_repository(backend, *, plugin_dirs=()):
    """A class to register with upstream's register_lab_repository(): upstream
    constructs it as cls(repo_dir=..., **the [[lab.sources]] entry's keys)."""

    def factory(repo_dir=None, **settings):
        return open_lab_repository(backend, plugin_dirs=plugin_dirs, repo_dir=repo_dir, **settings)

    factory.__name__ = factory.__qualname__ = f"otto_c_lab_{backend}"
    return factory


def reservation_backend(backend, *, plugin_dirs=()):
    """A class to register with upstream's register_reservation_backend():
    upstream constructs it as cls(url=..., repo_dir=..., **[reservations.<name>])."""

    def factory(url=None, repo_dir=None, **settings):
        return open_reservation_backend(backend, plugin_dirs=plugin_dirs, repo_dir=repo_dir, url=url, **settings)

    factory.__name__ = factory.__qualname__ = f"otto_c_reservation_{backend}"
    return factory


if os.environ.get("OTTO_C_NO_UPSTREAM"):
    _upstream.disable()
