"""Job queues: ``embedded`` (threads of the serving process) and ``dramatiq`` (Redis)."""
