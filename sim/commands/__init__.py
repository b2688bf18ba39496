"""The commands, one module each, on top of the library.

Each module has ``main(args: argparse.Namespace) -> int``: it takes the parsed command line
(:mod:`sim.cli` builds the parser), does its work through the library, prints for the user and
returns the exit code. Commands raise :class:`sim.errors.UserError` for input a user can fix;
:mod:`sim.cli` prints it once.
"""
