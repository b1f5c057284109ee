"""A small neural acoustic model of English phones, shared by the ``phonenet`` aligner and
recogniser: log-mel features, the model (ONNX, run by onnxruntime) and Viterbi decoding."""
