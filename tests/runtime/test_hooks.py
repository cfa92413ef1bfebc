"""The observer hook: every communication, once, in completion order."""

from cspc.runtime import Alt, Channel, InputGuard, OutputGuard, par, run, set_observer


class Log:
    def __init__(self):
        self.events = []

    def communicated(self, channel, value, writer, reader):
        self.events.append((channel.name, value, writer.name, reader.name if reader else None))


def test_observer_sees_every_communication(backend):
    a, b = Channel("a"), Channel("b")
    log = Log()

    def producer():
        a.write(1)
        Alt(OutputGuard(b, 2)).select()

    def consumer():
        a.read()
        Alt(InputGuard(b)).select()

    set_observer(log)
    try:
        run(lambda: par(producer, consumer), backend=backend)
    finally:
        set_observer(None)
    assert log.events == [("a", 1, "producer", "consumer"), ("b", 2, "producer", "consumer")]


def test_buffered_channel_reports_the_write(backend):
    c = Channel("c", capacity=1)
    log = Log()
    set_observer(log)
    try:
        run(lambda: c.write(5), backend=backend, name="w")
    finally:
        set_observer(None)
    assert log.events == [("c", 5, "w", None)]
