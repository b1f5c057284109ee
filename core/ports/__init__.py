"""The ports. Adapters implement them; ``contracts/`` tests exactly what is written here.

All ports are synchronous and must be safe to call from several threads at once. Every port
has ``check()``: return ``None`` when usable, else raise ``Unavailable`` saying what is missing
and how to fix it (``/ready`` and ``avatar doctor`` call it).

One module per concern (``audio``, ``speech``, ``recognition``, ``rendering``, ``storage``,
``blobs``, ``jobs``); every name is re-exported here, so ``from avatar_service.core.ports
import X`` is the way to import any of them.
"""

from avatar_service.core.ports.audio import AudioCodec
from avatar_service.core.ports.blobs import BlobStore, Leftover, LeftoverSource
from avatar_service.core.ports.jobs import JobHandler, JobQueue, JobStore, WebhookSender
from avatar_service.core.ports.recognition import (
    Aligner,
    PhoneRecognizer,
    PhoneStream,
    StreamingRecognizer,
)
from avatar_service.core.ports.rendering import (
    FrameRenderRequest,
    ProgressCallback,
    RenderedVideo,
    Renderer,
    SequenceRenderRequest,
)
from avatar_service.core.ports.speech import (
    SpeechSynthesizer,
    SsmlSynthesisRequest,
    SsmlSynthesizer,
    SynthesisRequest,
    VoiceCatalogue,
)
from avatar_service.core.ports.storage import KeyStore, RecordRemover, Store

__all__ = [
    "Aligner",
    "AudioCodec",
    "BlobStore",
    "FrameRenderRequest",
    "JobHandler",
    "JobQueue",
    "JobStore",
    "KeyStore",
    "Leftover",
    "LeftoverSource",
    "PhoneRecognizer",
    "PhoneStream",
    "ProgressCallback",
    "RecordRemover",
    "RenderedVideo",
    "Renderer",
    "SequenceRenderRequest",
    "SpeechSynthesizer",
    "SsmlSynthesisRequest",
    "SsmlSynthesizer",
    "Store",
    "StreamingRecognizer",
    "SynthesisRequest",
    "VoiceCatalogue",
    "WebhookSender",
]
