"""``python -m avatar_service.entrypoints.cli``: the ``avatar`` command."""

from avatar_service.entrypoints.cli import main

main()
