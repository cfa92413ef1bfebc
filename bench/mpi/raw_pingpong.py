"""MPI's own cost on this machine, for bench/mpi.py to set beside cspc's: two
ranks pass a pickled number back and forth with isend and improbe (the calls
cspc's pump makes), no greenlets, no rendezvous.  Prints ns per message.

    mpiexec -n 2 python bench/mpi/raw_pingpong.py ROUNDS
"""

import sys
import time

from mpi4py import MPI

comm = MPI.COMM_WORLD
rounds = int(sys.argv[1])
status = MPI.Status()


def receive():
    while True:
        message = comm.improbe(MPI.ANY_SOURCE, MPI.ANY_TAG, status)
        if message is not None:
            return message.recv()


other = 1 - comm.Get_rank()
comm.Barrier()
started = time.perf_counter()
for i in range(rounds):
    if comm.Get_rank() == 0:
        comm.isend(i, other, 2).Wait()
        receive()
    else:
        receive()
        comm.isend(i, other, 2).Wait()
elapsed = time.perf_counter() - started
if comm.Get_rank() == 0:
    print(f"ns {int(elapsed / (2 * rounds) * 1e9)}")
