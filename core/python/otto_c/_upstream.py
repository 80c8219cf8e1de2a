"""Upstream otto (otto-sh), when it is importable: its error classes, its
Lab, its host factory and its Link. Imported lazily, so that `import
otto_c` costs nothing more when upstream is absent, and never fails."""

_cache = {}


def get():
    """The upstream pieces as a dict, or None when otto-sh is not importable."""
    if "mods" in _cache:
        return _cache["mods"]
    try:
        from otto.config.lab import Lab
        from otto.host.factory import create_host_from_dict
        from otto.labs.errors import LabNotFoundError, LabRepositoryError
        from otto.labs.protocol import HostSummary
        from otto.link.derive import addressing_from_dict
        from otto.link.model import Link, LinkEndpoint, Provenance
        from otto.reservations.check import ReservationBackendError
        from otto.reservations.protocol import ReservationWindow
    except ImportError:
        _cache["mods"] = None
        return None
    _cache["mods"] = {
        "Lab": Lab,
        "create_host_from_dict": create_host_from_dict,
        "addressing_from_dict": addressing_from_dict,
        "LabNotFoundError": LabNotFoundError,
        "LabRepositoryError": LabRepositoryError,
        "ReservationBackendError": ReservationBackendError,
        "HostSummary": HostSummary,
        "Link": Link,
        "LinkEndpoint": LinkEndpoint,
        "Provenance": Provenance,
        "ReservationWindow": ReservationWindow,
    }
    return _cache["mods"]


def disable():
    """Behave as if upstream were absent (tests; OTTO_C_NO_UPSTREAM=1)."""
    _cache["mods"] = None


def build_lab(up, name, records, links, preferences, foreign_host):
    """Upstream's own Lab for otto-c's records: each host built by upstream's
    factory (ids and fields computed by upstream code), links as upstream
    Link objects with each end's address resolved from the host records
    (foreign_host(id) gives the record of an end in another lab)."""
    lab = up["Lab"](name=name)
    addressing = {}
    for rec in records:
        data = rec.as_dict()
        try:
            host = up["create_host_from_dict"](data, preferences=preferences, lab_name=name)
            lab.add_host(host)
            lab.resources.update(host.resources)
        except Exception as e:  # upstream wraps every construction failure so
            raise up["LabRepositoryError"](f"Failed to create host '{rec.id}' in lab '{name}': {e}") from e
        addressing[rec.id] = data
    out_links = []
    for link in links:
        ends = []
        for ep in (link.a, link.b):
            data = addressing.get(ep.host)
            if data is None:
                other = foreign_host(ep.host)
                data = other.as_dict() if other is not None else None
            ip = ""
            if data is not None:
                _, addr = up["addressing_from_dict"](data)
                ip = addr.interfaces.get(ep.interface, "") if ep.interface else addr.ip
            ends.append(up["LinkEndpoint"](host=ep.host, interface=ep.interface, ip=ip))
        kwargs = {"protocol": link.protocol or "tcp", "provenance": up["Provenance"].DECLARED}
        if link.name is not None:
            kwargs["name"] = link.name
        if link.impair is not None:
            kwargs["impair"] = link.impair
        out_links.append(up["Link"](a=ends[0], b=ends[1], **kwargs))
    lab.links = out_links
    return lab
