"""The exception type for mistakes a user can fix."""


class NetbendError(Exception):
    """An invalid input or a missing file, with a message that names the fix.

    The command line prints these as one line and exits with status 2; other
    exceptions are bugs and keep their traceback.
    """
