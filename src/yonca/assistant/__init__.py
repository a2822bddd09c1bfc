"""The Yonca assistant: the Chainlit app farmers sign in to and talk with.

``app`` holds the Chainlit callbacks and is what ``yonca serve`` (or
``chainlit run``) loads; the other modules are plain code it calls: sign-in,
chat profiles and settings, prompts, model clients, the file route and the
ownership checks Chainlit's own routes lack. This package's ``__init__``
imports nothing, so the CLI can use ``startup`` without loading Chainlit.
"""
