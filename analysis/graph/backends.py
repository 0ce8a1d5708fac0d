"""Which implementation runs a graph algorithm: networkx, a networkx backend, or the fast path.

Every metric function of :mod:`analysis.graph` takes ``backend=``:

* ``None`` (default) — networkx, which itself honours ``nx.config.backend_priority``
  (so a user who configured ``nx-cugraph`` gets it without changing a line);
* the name of an installed networkx backend (``"cugraph"`` from
  ``pip install medtwitter[graph-gpu]``, ``"graphblas"``, ``"parallel"``...) — passed
  to networkx as ``backend=``;
* ``"igraph"`` — this package's fast path (scipy sparse matrices, igraph for Louvain),
  which returns the same types and the same numbers as networkx.

A backend that is not installed falls back to networkx with a warning that says so
and how to install it; nothing fails for want of a GPU.
"""

from __future__ import annotations

import warnings

#: The package's own fast path (scipy sparse + igraph), selected with ``backend="igraph"``.
FAST = "igraph"
#: Names accepted for plain networkx.
NETWORKX = frozenset({"networkx", "nx"})
_INSTALL_HINT = {
    "cugraph": "pip install 'medtwitter[graph-gpu]' (needs an NVIDIA GPU)",
    "graphblas": "pip install graphblas-algorithms",
    "parallel": "pip install nx-parallel",
}


class BackendFallbackWarning(UserWarning):
    """A requested graph backend is not available; networkx runs instead."""


def installed_backends() -> list[str]:
    """Names of the networkx backends installed in this environment (sorted).

    Examples
    --------
    >>> isinstance(installed_backends(), list)
    True
    """
    from networkx.utils.backends import backends

    return sorted(backends)


def resolve_backend(backend: str | None) -> str | None:
    """The backend that will actually run: ``None`` (networkx), ``"igraph"`` or a networkx backend.

    An unknown or missing backend gives a :class:`BackendFallbackWarning` naming
    the fix, and ``None``.

    Examples
    --------
    >>> resolve_backend(None) is None
    True
    >>> resolve_backend("igraph")
    'igraph'
    """
    if backend is None or backend in NETWORKX:
        return None
    if backend == FAST:
        try:
            import igraph  # noqa: F401
        except ImportError:
            warnings.warn(
                "igraph is not installed, so the fast path is off: networkx runs instead; "
                "install it with `pip install igraph`.",
                BackendFallbackWarning,
                stacklevel=3,
            )
            return None
        return FAST
    if backend in installed_backends():
        return backend
    hint = _INSTALL_HINT.get(backend, f"install the networkx backend {backend!r}")
    warnings.warn(
        f"graph backend {backend!r} is not installed, so networkx's default implementation "
        f"runs instead; to use it, {hint}.",
        BackendFallbackWarning,
        stacklevel=3,
    )
    return None


def nx_kwargs(backend: str | None) -> dict:
    """Keyword arguments passing a resolved networkx backend on to a networkx function."""
    return {"backend": backend} if backend and backend != FAST else {}
