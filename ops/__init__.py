"""Operations scripts: backup and restore (``python -m ops.backup``). Imports no app, only Django settings."""
