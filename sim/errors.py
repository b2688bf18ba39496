"""The one exception type for problems a user can fix (bad input, missing files).

Code below the command line raises :class:`UserError` with a readable one-paragraph
message; :mod:`sim.cli` catches it once, prints the message and exits with code 2.
"""


class UserError(Exception):
    """A problem with the user's input, explained in plain words.

    The message names the file, the key path and what would be valid.
    """

    exit_code = 2
