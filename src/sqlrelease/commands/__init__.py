"""The verbs: one module per command (or small family), each wiring the library together.

They read or write bundles and sit above everything else in the package; the
CLI (cli.py) and the Python API (api.py) are the only modules that import them.
"""
