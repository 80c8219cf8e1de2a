"""Plain records: what load_lab, list_host_summaries and the windows return
when upstream otto (otto-sh) is not importable. Field names follow
upstream's Lab, host, Link, HostSummary and ReservationWindow."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class HostRecord:
    id: str
    ip: str
    element: str
    element_id: int | None
    board: str | None
    slot: int | None
    os_type: str
    resources: set[str]
    labs: list[str]
    docker_capable: bool
    creds: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)
    """Every other field of the record, as upstream's lab.json holds it."""

    def as_dict(self) -> dict[str, Any]:
        """The record as a lab.json host entry (what upstream's factory takes)."""
        d: dict[str, Any] = {"ip": self.ip, "element": self.element}
        for key in ("element_id", "board", "slot"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        d["os_type"] = self.os_type
        if self.resources:
            d["resources"] = sorted(self.resources)
        d["labs"] = list(self.labs)
        if self.docker_capable:
            d["docker_capable"] = True
        if self.creds:
            d["creds"] = [dict(c) for c in self.creds]
        d.update(self.extra)
        return d


@dataclass(frozen=True)
class LinkEndpoint:
    host: str
    interface: str | None = None


@dataclass
class LinkRecord:
    a: LinkEndpoint
    b: LinkEndpoint
    protocol: str | None
    name: str | None = None
    impair: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LabRecord:
    name: str
    resources: set[str] = field(default_factory=set)
    hosts: dict[str, HostRecord] = field(default_factory=dict)
    links: list[LinkRecord] = field(default_factory=list)


@dataclass
class HostSummary:
    id: str
    labs: list[str]
    ip: str
    element: str
    element_id: int | None
    docker_capable: bool


@dataclass(frozen=True)
class ReservationWindow:
    resource: str
    start: datetime
    end: datetime
