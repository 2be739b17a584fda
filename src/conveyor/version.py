"""conveyor's version, single source for packaging and the wire protocol's handshake."""

VERSION = "0.1.0"
