"""The tests' Dovecot: the package's private server (`daemon/local_imap.py`) with a known password."""

from daemon.local_imap import USER, Dovecot as _Dovecot

PASSWORD = "correct horse battery staple 42!"

__all__ = ["USER", "PASSWORD", "Dovecot"]


class Dovecot(_Dovecot):
    def __init__(self):
        super().__init__(password=PASSWORD)
