"""CommsTime in asyncio and in trio: what a Python programmer reaches for instead of CSP.

    python bench/commstime_async.py [--rounds N]

The network is the one in ``bench/commstime.py`` (prefix -> delta -> succ ->
prefix, delta also feeding a consumer that times N rounds; 4 communications a
round), with every process a task of the event loop and every channel the
library's own hand-over primitive:

* asyncio: ``asyncio.Queue(maxsize=1)``.  That is a one-place buffer, not a
  rendezvous: ``put`` on an empty queue returns at once, so a writer runs one
  value ahead of its reader and many hand-overs cost no task switch.  It is
  what one writes with asyncio all the same, and it flatters asyncio.
* trio: ``trio.open_memory_channel(0)``, a true rendezvous: ``send`` waits
  until a receiver has taken the value, like an occam channel.

Both return nanoseconds per communication over the timed rounds; the driver of
the suite (``bench/run.py``, through ``bench/workloads.py``) runs each in a
fresh process, like every other variant.
"""

from __future__ import annotations

import argparse
import time


def check_last(last: int, rounds: int) -> None:
    """The values round the loop count up from 0, so after the first read and
    ``rounds`` more the consumer holds ``rounds``: anything else means a value
    was lost or duplicated, and the timing is of a broken network."""
    if last != rounds:
        raise RuntimeError(f"the consumer read {last} after {rounds} rounds, not {rounds}")


def asyncio_commstime(rounds: int) -> float:
    import asyncio

    return asyncio.run(_asyncio_network(rounds))


async def _asyncio_network(rounds: int) -> float:
    import asyncio

    a, b, c, d = (asyncio.Queue(maxsize=1) for _ in range(4))

    async def prefix():
        await a.put(0)
        while True:
            await a.put(await d.get())

    async def delta():
        while True:
            x = await a.get()
            await b.put(x)
            await c.put(x)

    async def succ():
        while True:
            await d.put(await c.get() + 1)

    async def consumer():
        await b.get()
        start = time.perf_counter()
        for _ in range(rounds):
            last = await b.get()
        elapsed = time.perf_counter() - start
        check_last(last, rounds)
        return elapsed

    # The consumer is a task like the others, so every hand-over is between tasks.
    loops = [asyncio.create_task(process()) for process in (prefix, delta, succ)]
    elapsed = await asyncio.create_task(consumer())
    for task in loops:
        task.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    return elapsed / (4 * rounds) * 1e9


def trio_commstime(rounds: int) -> float:
    import trio

    return trio.run(_trio_network, rounds)


async def _trio_network(rounds: int) -> float:
    import trio

    (a_out, a_in), (b_out, b_in), (c_out, c_in), (d_out, d_in) = (trio.open_memory_channel(0) for _ in range(4))
    timing = {}

    async def prefix():
        await a_out.send(0)
        while True:
            await a_out.send(await d_in.receive())

    async def delta():
        while True:
            x = await a_in.receive()
            await b_out.send(x)
            await c_out.send(x)

    async def succ():
        while True:
            await d_out.send(await c_in.receive() + 1)

    async def consumer(stop: trio.CancelScope):
        await b_in.receive()
        start = time.perf_counter()
        for _ in range(rounds):
            last = await b_in.receive()
        timing["t"] = time.perf_counter() - start
        check_last(last, rounds)
        stop.cancel()  # the other three loop for ever: end them all

    async with trio.open_nursery() as nursery:
        for process in (prefix, delta, succ):
            nursery.start_soon(process)
        nursery.start_soon(consumer, nursery.cancel_scope)
    return timing["t"] / (4 * rounds) * 1e9


VARIANTS = {"asyncio": asyncio_commstime, "trio": trio_commstime}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="CommsTime rounds (4 communications each)")
    args = parser.parse_args(argv)
    for name, measure in VARIANTS.items():
        try:
            print(f"{name:8} {measure(args.rounds):8.0f} ns per communication")
        except ImportError as exc:
            print(f"{name:8} skipped: {exc}")


if __name__ == "__main__":
    main()
