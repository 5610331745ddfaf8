"""Containers: how recordings are stored on disk, one module per kind.

- ``recording``: an ogx (llama-stack) recording, one JSON file per exchange;
- ``cassette``: a VCR.py cassette, one YAML file holding N HTTP interactions.

What the provider answered, once out of its container, is read by
``recctl.protocols``: the same code for both.
"""
