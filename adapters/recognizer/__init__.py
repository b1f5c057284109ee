"""Phone recognisers: audio alone to timed phones (``core.ports.PhoneRecognizer``)."""
