"""The greenlet backend's specialised hot path: lock calls dropped and block
inlined while a run is active, the written code restored afterwards, and the
same behaviour either way."""

from cspc.runtime import Channel, InputGuard, PoisonError, _core, channels, run
from cspc.runtime.occam import alt, par


def _names_used(code):
    return set(code.co_names)


def test_twin_inlines_block_on_greenlets_and_is_restored():
    written = Channel.write.__code__
    seen = {}

    def main():
        seen["write"] = _names_used(Channel.write.__code__)
        seen["read"] = _names_used(Channel.read.__code__)

    run(main, backend="greenlet")
    for name in ("write", "read"):
        assert "_block" not in seen[name] and "_acquire" not in seen[name]
        assert "_g_next" in seen[name]
    assert Channel.write.__code__ is written
    assert "_g_next" not in vars(channels)  # backend names removed after the run


def test_threads_backend_keeps_the_locked_code():
    written = Channel.read.__code__
    seen = {}

    def main():
        seen["code"] = Channel.read.__code__

    run(main, backend="threads")
    assert seen["code"] is written


def test_inlined_block_locals_do_not_clash_with_the_host():
    # the host function's own local named like the template's local survives
    def host(cur):
        nxt = "host's"
        _block(cur)  # noqa: F821 -- replaced by the template's body
        return nxt

    def template(cur):
        nxt = len(cur)
        cur.append(nxt)

    code = _core._lock_free_twin(host, host.__code__, template)
    assert "_block_nxt" in code.co_varnames and "nxt" in code.co_varnames


def test_pipeline_and_alt_through_the_inlined_paths(backend):
    a, b = Channel("a"), Channel("b")
    got = []

    def producer():
        for i in range(200):
            a.write(i)
        a.poison()

    def relay():
        try:
            while True:
                b.write(a.read() * 2)
        except PoisonError:
            b.poison()

    def consumer():
        try:
            while True:
                index, value = alt([InputGuard(b)])
                got.append(value)
        except PoisonError:
            pass

    run(lambda: par(producer, relay, consumer), backend=backend)
    assert got == [2 * i for i in range(200)]
