"""The command line: one module per command group, each with ``register(subparsers)``.

Nothing below ``comptoir/`` imports these modules: the core stays importable without argparse,
and no command hides an import cycle.
"""
