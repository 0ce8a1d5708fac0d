"""Which implementation runs a graph algorithm: networkx, a networkx backend, or the fast path.

Every metric function of :mod:`analysis.graph` takes ``backend=``:

* ``None`` (default) — :data:`analysis.settings.GRAPH_BACKEND`, read when the function
  runs: ``"igraph"`` unless changed;
* ``"igraph"`` — this package's fast path (igraph's exact algorithms), which returns the
  same types and the same numbers as networkx run to convergence (within 1e-9);
* ``"networkx"`` (or ``"nx"``) — networkx, which itself honours ``nx.config.backend_priority``
  (so a user who configured ``nx-cugraph`` gets it without changing a line);
* the name of an installed networkx backend (``"cugraph"`` from
  ``pip install medtwitter[graph-gpu]``, ``"graphblas"``, ``"parallel"``...) — passed
  to networkx as ``backend=``.

A backend that is not installed falls back to networkx with a warning that says so
and how to install it; nothing fails for want of a GPU.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from networkx.utils.backends import backends

from analysis import settings
from analysis.errors import UsageError

#: The package's own fast path (scipy sparse + igraph), selected with ``backend="igraph"``.
FAST = "igraph"
#: Names accepted for plain networkx.
NETWORKX = frozenset({"networkx", "nx"})
_INSTALL_HINT = {
    "cugraph": "pip install 'medtwitter[graph-gpu]' (needs an NVIDIA GPU)",
    "graphblas": "pip install graphblas-algorithms",
    "parallel": "pip install nx-parallel",
}


class GraphNote(UserWarning):
    """Something the user should know about a graph computation (the command line prints it)."""


class BackendFallbackWarning(GraphNote):
    """A requested graph backend is not available; networkx runs instead."""


def gpu_available() -> bool:
    """Whether an NVIDIA GPU can be used (CuPy installed and at least one CUDA device).

    Examples
    --------
    >>> isinstance(gpu_available(), bool)
    True
    """
    try:
        # Imported here: CuPy is an optional GPU package; its import can fail or load CUDA.
        import cupy
    except Exception:  # absent, or a broken CUDA installation that fails at import
        return False
    try:
        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # no driver, no device
        return False


def require_backend(backend: str | None) -> str | None:
    """Return the backend asked for, or a :class:`UsageError` in one line if it cannot run here.

    What ``medtwitter graph --backend`` uses: unlike :func:`resolve_backend`, a
    backend that is missing (or, for ``cugraph``, a machine without a GPU) is an
    error, not a fallback, so a GPU run never silently becomes a CPU run.

    Parameters
    ----------
    backend : str or None
        Backend name (``"igraph"``, ``"networkx"``, ``"cugraph"``, another installed networkx backend); None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    str or None
        The backend to pass on: None for networkx itself, else its name.

    Raises
    ------
    UsageError
        If the backend is unknown, not installed, or (``cugraph``) has no GPU here.

    Examples
    --------
    >>> require_backend("igraph")
    'igraph'
    """
    backend = settings.GRAPH_BACKEND if backend is None else backend
    if backend in NETWORKX or backend == FAST:
        return backend
    if backend == "cugraph" and "cugraph" in installed_backends() and not gpu_available():
        raise UsageError(
            "--backend cugraph needs an NVIDIA GPU with CUDA, and none was found; "
            "run on a machine with one, or use --backend igraph."
        )
    if backend not in installed_backends():
        hint = _INSTALL_HINT.get(backend, f"install the networkx backend {backend!r}")
        raise UsageError(
            f"graph backend {backend!r} is not installed; {hint}, or use --backend igraph."
        )
    return backend


def installed_backends() -> list[str]:
    """Names of the networkx backends installed in this environment (sorted).

    Examples
    --------
    >>> isinstance(installed_backends(), list)
    True
    """
    return sorted(backends)


def resolve_backend(backend: str | None) -> str | None:
    """Return the backend that will actually run: ``None`` (networkx), ``"igraph"`` or a networkx backend.

    ``backend=None`` asks for :data:`analysis.settings.GRAPH_BACKEND`, read now.
    An unknown or missing backend gives a :class:`BackendFallbackWarning` naming
    the fix, and ``None``.

    Parameters
    ----------
    backend : str or None
        Backend asked for (``"igraph"``, ``"networkx"`` or a networkx backend name); None uses ``settings.GRAPH_BACKEND``.

    Returns
    -------
    str or None
        ``"igraph"``, an installed networkx backend name, or None for networkx itself.

    Examples
    --------
    >>> resolve_backend("networkx") is None
    True
    >>> resolve_backend("igraph")
    'igraph'
    >>> resolve_backend(None) == resolve_backend(settings.GRAPH_BACKEND)
    True
    """
    backend = settings.GRAPH_BACKEND if backend is None else backend
    if backend in NETWORKX:
        return None
    if backend == FAST:
        try:
            # Imported here, a presence check: igraph takes about 1 s to import, which a
            # networkx-only run need not pay.
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


def run_nx(func: Callable[..., Any], *args: Any, backend: str | None = None, **kwargs: Any) -> Any:
    """Call a networkx function on a resolved backend; networkx itself if the backend lacks it.

    Parameters
    ----------
    func : Callable
        A networkx algorithm, e.g. ``nx.pagerank``.
    *args : Any
        Positional arguments of ``func`` (the graph first).
    backend : str or None, optional
        Resolved backend (:func:`resolve_backend`); None or ``"igraph"`` calls ``func`` without a backend.
    **kwargs : Any
        Keyword arguments of ``func``.

    Returns
    -------
    Any
        What ``func`` returns.

    Examples
    --------
    >>> import networkx as nx
    >>> run_nx(nx.density, nx.DiGraph([(1, 2)]))
    0.5
    """
    if not backend or backend == FAST:
        return func(*args, **kwargs)
    try:
        return func(*args, backend=backend, **kwargs)
    except NotImplementedError:
        warnings.warn(
            f"graph backend {backend!r} does not implement {func.__name__}; networkx runs it instead.",
            BackendFallbackWarning,
            stacklevel=3,
        )
        return func(*args, **kwargs)
