"""One controller per context; each handler runs its use-case call in a worker thread."""
