"""The shared kernel: money, uploads and private files, the USCC validator, admin helpers, the mapping
of service errors onto forms and API responses, the hook registry and the workflow kernel.

``core`` imports no app of ours: every app may import it (docs/architecture.md).
"""
