"""The commands, one module per concern; importing them registers them with ``cli.app``.

Each module holds the options and the calls of its commands, nothing else: the
work is in the domain modules, the output in the ``render`` ones.
"""
