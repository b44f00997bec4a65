"""Where uploaded files (photos, credentials letters) live: outside ``static/``, in
``UPLOAD_DIRECTORY`` (``instance/uploads`` unless configured), served only through views that
check permission. The store is a small interface, so that an S3-compatible one can replace the
directory without touching the rules that use it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "planner_files"


class FileStore(Protocol):
    def put(self, folder: str, data: bytes, suffix: str) -> str:
        """Store ``data`` under a new, unguessable key in ``folder``; the key."""

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""

    def exists(self, key: str) -> bool: ...

    def keys(self, folder: str) -> Iterator[str]:
        """Every key in ``folder``: what the purge and the orphan sweep walk."""

    def size(self, key: str) -> int:
        """The file's size in bytes; 0 for a missing one."""

    def stored_at(self, key: str) -> dt.datetime | None:
        """When the file was written (UTC); None for a missing one. The orphan sweep leaves
        files younger than a request that may still be committing the row naming them."""


class MissingFile(LookupError):
    pass


class DirectoryStore:
    """Files in a directory of this machine, written whole or not at all."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        path = os.path.abspath(os.path.join(self.root, key))
        if not path.startswith(self.root + os.sep) or "\x00" in key:
            raise MissingFile(key)
        return path

    def put(self, folder: str, data: bytes, suffix: str) -> str:
        if not folder.isidentifier() or not suffix.isalnum():
            raise ValueError("a folder is one word and a suffix letters and digits")
        key = f"{folder}/{secrets.token_hex(16)}.{suffix}"
        path = self._path(key)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        partial = f"{path}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
        return key

    def get(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as file:
                return file.read()
        except FileNotFoundError as error:
            raise MissingFile(key) from error

    def delete(self, key: str) -> None:
        try:
            os.remove(self._path(key))
        except (FileNotFoundError, MissingFile):
            pass

    def exists(self, key: str) -> bool:
        try:
            return os.path.isfile(self._path(key))
        except MissingFile:
            return False

    def size(self, key: str) -> int:
        try:
            return os.path.getsize(self._path(key))
        except (OSError, MissingFile):
            return 0

    def stored_at(self, key: str) -> dt.datetime | None:
        try:
            return dt.datetime.fromtimestamp(os.path.getmtime(self._path(key)), dt.UTC)
        except (OSError, MissingFile):
            return None

    def keys(self, folder: str) -> Iterator[str]:
        directory = os.path.join(self.root, folder)
        if not os.path.isdir(directory):
            return
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".partial"):
                yield f"{folder}/{name}"


def init_app(app: Flask) -> None:
    root = app.config.get("UPLOAD_DIRECTORY") or os.path.join(app.instance_path, "uploads")
    app.config["UPLOAD_DIRECTORY"] = root
    app.extensions[EXTENSION] = DirectoryStore(root)


def file_store() -> FileStore:
    return current_app.extensions[EXTENSION]
