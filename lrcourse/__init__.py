"""lrcourse: see the learning rate at work.

``import lrcourse`` gives the names a learner calls (listed in ``__all__``):
the toy problems, gradient descent and sweeps, the stability limits, the
optimizers and their default rates, the schedules, the network and its data,
``sweep_fit``, the range test and ``check``. Everything else stays in its
module (``lrcourse.descent.Trace``, ``lrcourse.regimes``...), and each
lesson's own code in ``lrcourse.lessons.lessonNN``.

The numeric core needs only numpy. Plots live in ``lrcourse.plotting`` and
the interactive panels in ``lrcourse.widgets``; neither is imported here.

>>> import lrcourse
>>> trace = lrcourse.gradient_descent(lrcourse.Quadratic(), lr=0.25, steps=2, start=1)
>>> [f"{w:.2f}" for w in trace.weights]
['1.00', '0.50', '0.25']
"""

from .data import MinMaxScaler, make_drug_trial
from .descent import classify_lr, gradient_descent, stability_limits, sweep
from .exercises import check
from .model import Dense, Input, Sequential, l2, reference_model
from .optimizers import (
    KERAS_DEFAULT_LRS,
    PYTORCH_DEFAULT_LRS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    RMSprop,
    ScheduleFreeAdamW,
)
from .problems import Bowl2D, Quadratic, TwoValleys
from .range_finder import range_test, train_validation_split
from .schedules import (
    constant,
    cosine_decay,
    exponential_decay,
    one_cycle,
    step_decay,
    warmup,
    warmup_stable_decay,
)
from .training import sweep_fit

__version__ = "0.1.0"

__all__ = [
    # toy problems, descent and its limits
    "Quadratic",
    "Bowl2D",
    "TwoValleys",
    "gradient_descent",
    "sweep",
    "stability_limits",
    "classify_lr",
    # optimizers and the frameworks' default rates
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "ScheduleFreeAdamW",
    "KERAS_DEFAULT_LRS",
    "PYTORCH_DEFAULT_LRS",
    # schedules
    "constant",
    "step_decay",
    "exponential_decay",
    "cosine_decay",
    "warmup",
    "one_cycle",
    "warmup_stable_decay",
    # the network and its data
    "Sequential",
    "Dense",
    "Input",
    "l2",
    "reference_model",
    "make_drug_trial",
    "MinMaxScaler",
    "train_validation_split",
    # training many rates, the range test, the exercises
    "sweep_fit",
    "range_test",
    "check",
]


def __dir__():
    """The public names only: submodules stay importable but are not listed."""
    return sorted(__all__ + ["__version__", "__doc__", "__name__", "__path__",
                             "__file__", "__all__"])
