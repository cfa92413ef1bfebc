"""cspc.runtime: CSP processes, channels, PAR/SEQ/ALT, timers, barriers and poison.

The library every compiled cspc program runs on, and a library for writing
process networks in plain Python.  It imports nothing from the compiler.
"""
