"""Stage 8, the build: regenerate everything a repository of policies publishes.

In: the project root (policies/, the settings). Out: generated/ (maps, timelines, checkers, exports,
findings) and the documentation site's pages, written deterministically; `--check` compares
instead of writing. Runs the check orchestrator and every emitter; imports every earlier stage.
"""
