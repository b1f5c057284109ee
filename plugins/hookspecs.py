"""The hooks a plugin implements: one per port, each handed a ``register`` callback.

A plugin module or package defines functions decorated with ``hookimpl`` and is found through
the ``avatar_service`` entry-point group. Each hook calls ``register(name, factory)`` once per
adapter it offers; ``factory(settings)`` receives the service's settings object and returns the
adapter. With ``register(name, factory, options=Model)`` (a pydantic model class), the factory
receives a ``Model`` validated from ``AVATAR_OPTIONS__<NAME>__*`` instead (``plugins/options.py``);
a bad value stops start-up naming it, as a bad built-in setting does. Names are unique per port
across all plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, overload

import pluggy
import pydantic

from avatar_service.core.ports import (
    Aligner,
    BlobStore,
    JobQueue,
    PhoneRecognizer,
    Renderer,
    SpeechSynthesizer,
    Store,
    WebhookSender,
)
from avatar_service.core.visemesets import VisemeSetSpec

PROJECT = "avatar_service"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

A = TypeVar("A", covariant=True)
M = TypeVar("M", bound=pydantic.BaseModel)


class Factory(Protocol[A]):
    """Builds an adapter from the service settings (``avatar_service.entrypoints.settings``)."""

    def __call__(self, settings: Any) -> A: ...


class Register(Protocol):
    """``register(name, factory)``: ``factory(settings)`` builds the adapter.
    ``register(name, factory, options=Model)``: ``factory(options)`` builds it from a ``Model``
    validated from ``AVATAR_OPTIONS__<NAME>__*``."""

    @overload
    def __call__(self, name: str, factory: Factory[Any]) -> None: ...

    @overload
    def __call__(self, name: str, factory: Callable[[M], Any], *, options: type[M]) -> None: ...


@hookspec
def avatar_register_synthesizers(register: Register) -> None:
    """Register ``SpeechSynthesizer`` factories by name (``AVATAR_TTS`` picks one).

    :param register: call ``register(name, factory)`` for each synthesizer offered.
    """


@hookspec
def avatar_register_aligners(register: Register) -> None:
    """Register ``Aligner`` factories by name (``AVATAR_ALIGNER`` picks one).

    :param register: call ``register(name, factory)`` for each aligner offered.
    """


@hookspec
def avatar_register_renderers(register: Register) -> None:
    """Register ``Renderer`` factories by name (``AVATAR_RENDERER`` picks one).

    :param register: call ``register(name, factory)`` for each renderer offered.
    """


@hookspec
def avatar_register_stores(register: Register) -> None:
    """Register ``Store`` factories by name (``AVATAR_STORE`` picks one).

    :param register: call ``register(name, factory)`` for each store offered.
    """


@hookspec
def avatar_register_blob_stores(register: Register) -> None:
    """Register ``BlobStore`` factories by name (``AVATAR_BLOBS`` picks one).

    :param register: call ``register(name, factory)`` for each blob store offered.
    """


@hookspec
def avatar_register_job_queues(register: Register) -> None:
    """Register ``JobQueue`` factories by name (``AVATAR_JOBS`` picks one).

    :param register: call ``register(name, factory)`` for each job queue offered.
    """


@hookspec
def avatar_register_webhook_senders(register: Register) -> None:
    """Register ``WebhookSender`` factories by name (``AVATAR_WEBHOOKS`` picks one).

    :param register: call ``register(name, factory)`` for each webhook sender offered.
    """


@hookspec
def avatar_register_recognizers(register: Register) -> None:
    """Register ``PhoneRecognizer`` factories by name (``AVATAR_RECOGNIZER`` picks one).

    :param register: call ``register(name, factory)`` for each recogniser offered.
    """


RegisterVisemeSet = Callable[[VisemeSetSpec], None]


@hookspec
def avatar_register_viseme_sets(register: RegisterVisemeSet) -> None:
    """Register viseme sets (``VisemeSetSpec`` declarations; requests name them by name).

    :param register: call ``register(viseme_set)`` for each set offered.
    """


PORT_HOOKS: dict[str, tuple[str, type]] = {
    "tts": ("avatar_register_synthesizers", SpeechSynthesizer),
    "aligner": ("avatar_register_aligners", Aligner),
    "renderer": ("avatar_register_renderers", Renderer),
    "store": ("avatar_register_stores", Store),
    "blobs": ("avatar_register_blob_stores", BlobStore),
    "jobs": ("avatar_register_job_queues", JobQueue),
    "webhooks": ("avatar_register_webhook_senders", WebhookSender),
    "recognizer": ("avatar_register_recognizers", PhoneRecognizer),
}
"""Setting name -> (hook name, port Protocol)."""
