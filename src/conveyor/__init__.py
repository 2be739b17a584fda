"""conveyor: parallel scripting with Parsl's API, faster and leaner."""

from conveyor.version import VERSION

__version__ = VERSION
