"""Every chart of the toolkit: each takes data (and an optional ``ax``), returns ``(fig, ax)``.

Charts never compute a metric; they draw what the analysis modules return.
Conventions: a title naming the subject, labelled axes with units, a source
line (``source_label``), and a colour-blind-safe palette (Okabe-Ito) in which a
group keeps its colour in every chart.
"""

from analysis.plots.accounts import *  # noqa: F403
from analysis.plots.adoption import *  # noqa: F403
from analysis.plots.base import *  # noqa: F403
from analysis.plots.base import add_source, color_for, source_label  # noqa: F401
from analysis.plots.confidentiality import *  # noqa: F403
from analysis.plots.graph import *  # noqa: F403
from analysis.plots.hashtags import *  # noqa: F403
from analysis.plots.network_view import *  # noqa: F403
from analysis.plots.overview import *  # noqa: F403
