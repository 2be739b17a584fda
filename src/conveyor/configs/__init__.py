"""Ready configs under Parsl's ``parsl.configs`` module names, built from conveyor's parts.

``from parsl.configs.htex_local import config`` (through the import hook) gives
``conveyor.configs.htex_local.config``. Site configs name their executor, provider and
launcher through the compatibility table (:func:`conveyor.configs._site.parsl_name`), so
one whose provider conveyor lacks fails on import with the clear "conveyor lacks" error,
and starts working as soon as the table maps that provider. Like Parsl's, some site
configs look up a network interface (``address_by_interface('ib0')``) when imported, and
fail on machines without it.
"""
