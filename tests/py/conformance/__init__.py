"""OpInfo conformance: every PyTorch OpInfo whose op this project converts, compiled one op at a
time on the CPU engine and compared with eager PyTorch (issue 20).

- ``opinfo``: which OpInfos are in scope, their samples (seeded) and how a sample is described.
- ``check``: the per-dtype tolerances and the comparison of engine outputs with eager ones.
- ``worker``: runs cases in a child process and appends one JSON line per case to a file;
  ``scripts/gen_conformance.py`` supervises workers (a crash or hang becomes a mismatch of the
  case that was running) and writes ``docs/conformance.md``.
"""
