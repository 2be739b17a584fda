"""Parsl's monitoring radio configurations (``parsl.monitoring.radios.*``), accepted as given.

In Parsl a radio is the way an executor's workers send monitoring messages home (HTEX's
own channel, UDP, a shared filesystem, an in-process queue), chosen with an executor's
``remote_monitoring_radio=``. conveyor's monitoring has one transport of its own (the
kernel's observer and the pools' reports on the HTEX links), so a config naming a radio
runs unchanged: the radio is accepted and not used. These classes hold their arguments
(for ``repr`` and for code reading them back); the senders and receivers behind Parsl's
radios do not exist in conveyor.
"""

from __future__ import annotations

from conveyor.representation import RepresentationMixin

__all__ = ["FilesystemRadio", "HTEXRadio", "MultiprocessingQueueRadio", "RadioConfig", "UDPRadio"]


class RadioConfig(RepresentationMixin):
    """Base class of the radio configurations (Parsl's ``parsl.monitoring.radios.base``)."""


class HTEXRadio(RadioConfig):
    """Monitoring messages ride on HTEX's own connections (Parsl's default for HTEX)."""


class FilesystemRadio(RadioConfig):
    """Parsl: messages as files in the run directory, for when the network drops them."""


class MultiprocessingQueueRadio(RadioConfig):
    """Parsl: messages through an in-process queue (thread pools)."""


class UDPRadio(RadioConfig):
    """Parsl: messages as HMAC-signed UDP datagrams to ``address``:``port``."""

    def __init__(
        self,
        *,
        port: int | None = None,
        atexit_timeout: int = 3,
        address: str,
        debug: bool = False,
        hmac_digest: str = "sha512",
    ) -> None:
        self.port = port
        self.atexit_timeout = atexit_timeout
        self.address = address
        self.debug = debug
        self.hmac_digest = hmac_digest
