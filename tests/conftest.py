"""The whole suite's conftest: loading it puts ``tests/`` on ``sys.path`` (pytest's default
import mode), so every folder's tests import ``support``."""
