"""The multicast seam's fake (next to :mod:`scanner.probes.multicast.net`, which it fakes):
scripted answers for unit tests, through the real seam's scope checks and caps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from scanner.probes.multicast.base import Datagram, Interface
from scanner.probes.multicast.net import Collector, Question, check_question
from scanner.scope import Scope

Responder = Callable[[Interface, Question, bytes], list[Datagram]]


@dataclass
class FakeMulticast:
    """Scripted answers for unit tests: ``responders[(group, port)](iface, question, payload)``
    returns the datagrams that arrive. Records every payload sent; same checks and caps."""

    scope: Scope
    responders: dict[tuple[str, int], Responder] = field(default_factory=dict)
    sent: list[tuple[str, str, int, bytes]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    async def exchange(self, iface: Interface, question: Question) -> list[Datagram]:
        check_question(self.scope, iface, question)
        sink = Collector(iface.address)
        respond = self.responders.get((question.group, question.port))
        for payload in question.payloads:
            self.sent.append((iface.name, question.group, question.port, payload))
            for d in respond(iface, question, payload) if respond else []:
                sink.add(d.data, d.source, d.port)
        self.dropped.update(oversized=sink.oversized, capped=sink.capped)
        return sink.kept
