"""Which address the interchange binds and which addresses pools try, per provider."""

from conveyor.executors.htex.addresses import host_addresses, interchange_addresses
from conveyor.executors.htex.options import InterchangeOptions
from conveyor.providers.local import LocalProvider
from conveyor.providers.slurm import SlurmProvider


def test_local_blocks_use_loopback_only() -> None:
    assert interchange_addresses(InterchangeOptions(), LocalProvider()) == (
        "127.0.0.1",
        "127.0.0.1",
    )


def test_remote_blocks_get_every_host_address_loopback_last() -> None:
    bind, offered = interchange_addresses(InterchangeOptions(), SlurmProvider())
    assert bind == "0.0.0.0"
    assert offered.split(",") == host_addresses()
    assert host_addresses()[-1].startswith("127.") or "127.0.0.1" not in host_addresses()


def test_an_explicit_address_wins() -> None:
    ix = InterchangeOptions(address="10.1.0.5")
    assert interchange_addresses(ix, SlurmProvider()) == ("10.1.0.5", "10.1.0.5")
    assert interchange_addresses(ix, LocalProvider()) == ("10.1.0.5", "10.1.0.5")
