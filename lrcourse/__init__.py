"""lrcourse: see the learning rate at work.

The numeric core (problems, data, model, optimizers, schedules, training,
tracing, and the lessons' analyses: regimes, noise, stability, range_test,
composer, inspector, hessian, edge) needs only numpy. Plots live in
``lrcourse.plotting`` and the interactive panels in ``lrcourse.widgets``;
neither is imported here.
"""

from .data import MinMaxScaler, make_drug_trial
from .descent import (
    RUNAWAY_FACTOR,
    Sweep,
    Trace,
    classify_lr,
    gradient_descent,
    stability_limits,
    sweep,
)
from .exercises import check
from .model import L2, Dense, History, Input, Sequential, l2, reference_model
from .optimizers import (
    KERAS_DEFAULT_LRS,
    PYTORCH_DEFAULT_LRS,
    SGD,
    Adagrad,
    Adam,
    Optimizer,
    RMSprop,
)
from .problems import Bowl2D, Quadratic, TwoValleys
from .range_finder import RangeTestResult, range_test, train_validation_split
from .schedules import (
    constant,
    cosine_decay,
    exponential_decay,
    one_cycle,
    step_decay,
    warmup,
)
from .stability import largest_stable_lr
from .training import SweepHistory, sweep_fit

__version__ = "0.1.0"

__all__ = [
    "RangeTestResult",
    "range_test",
    "train_validation_split",
    "largest_stable_lr",
    "KERAS_DEFAULT_LRS",
    "L2",
    "PYTORCH_DEFAULT_LRS",
    "RUNAWAY_FACTOR",
    "SGD",
    "Adagrad",
    "Adam",
    "Bowl2D",
    "Dense",
    "History",
    "Input",
    "MinMaxScaler",
    "Optimizer",
    "Quadratic",
    "RMSprop",
    "Sequential",
    "Sweep",
    "SweepHistory",
    "Trace",
    "TwoValleys",
    "check",
    "classify_lr",
    "constant",
    "cosine_decay",
    "exponential_decay",
    "gradient_descent",
    "l2",
    "make_drug_trial",
    "one_cycle",
    "reference_model",
    "stability_limits",
    "step_decay",
    "sweep",
    "sweep_fit",
    "warmup",
]
