"""Lesson 07: choosing a learning rate (sweep, range test, batch size).

Every claim the lesson draws from the network is checked over the lesson's 5
seeds (initial weights and shuffling), and the central ones over a second set
of 5 seeds too."""

import numpy as np
import pytest

import lrcourse
from lrcourse.lessons.lesson05.analysis import constant_loss
from lrcourse.lessons.lesson07 import figures, panels
from lrcourse.lessons.lesson07.analysis import (
    RULES,
    SEEDS,
    SWEEP_GRID,
    BandComparison,
    ChoicesOverSeeds,
    NearBestBands,
    SeedSweeps,
    TrialSplit,
    choose_on_validation,
    first_below,
    near_best_band,
    range_test,
    range_test_lrs,
    rule_scores,
    sweep_on_split,
)
from lrcourse.lessons.lesson07.exercises import minimum_vs_tenth, target_ratio
from lrcourse.plotting import png_bytes
from lrcourse.readouts import lr_grid

GRID = lr_grid(*SWEEP_GRID)
OTHER_SEEDS = (5, 6, 7, 8, 9)
LN2 = np.log(2)


@pytest.fixture(scope="module")
def bands():
    return NearBestBands(seeds=SEEDS)


@pytest.fixture(scope="module")
def sweep():
    return panels.sweep_panel(lr=0.1, batch_size=10, epochs=5, optimizer="sgd")


@pytest.fixture(scope="module")
def ranged():
    return panels.range_test_panel(rule="valley", batch_size=10, num_it=100, epochs=5,
                                   seed=0)


# -- exercises ----------------------------------------------------------------

def test_exercise_1_batch_reaching_1e_2():
    assert lrcourse.check("07.1", 63).correct and lrcourse.check("07.1", "63").correct
    assert range_test_lrs(1e-7, 10.0, 100)[62] < 1e-2
    assert "next whole number" in lrcourse.check("07.1", 62).message
    assert "counted from 0" in lrcourse.check("07.1", 64).message
    assert "exponential" in lrcourse.check("07.1", 0.001).message


@pytest.mark.parametrize("seed", SEEDS)
def test_exercise_2_minimum_over_10_beats_minimum_in_every_seed(seed):
    losses = minimum_vs_tenth(seed)
    assert losses["minimum_over_10"] < losses["minimum"]


def test_exercise_2_checks():
    assert lrcourse.check("07.2", "minimum/10").correct
    wrong = lrcourse.check("07.2", "minimum")
    assert not wrong.correct and "Train with this rate" in wrong.message
    other = lrcourse.check("07.2", "maximum")
    assert not other.correct and "Please answer minimum or minimum/10" in other.message
    for spelling in ("min/10", "Min / 10", "(min/10)"):  # short spellings
        assert lrcourse.check("07.2", spelling).correct, spelling
    short = lrcourse.check("07.2", "min")
    assert not short.correct and "Train with this rate" in short.message


def test_exercise_3_the_rate_reaching_0_5_grows_with_the_batch_size():
    assert target_ratio() == pytest.approx(10.0)  # 0.0158 -> 0.158
    assert target_ratio(seeds=OTHER_SEEDS) == pytest.approx(10.0)
    # the lesson's own level gives another number: the answer is not on screen
    assert target_ratio(level=0.4) == pytest.approx(10 ** 0.8)
    assert lrcourse.check("07.3", 10).correct and lrcourse.check("07.3", "9.5").correct
    assert "ratio of the batch sizes" in lrcourse.check("07.3", 8).message
    for wrong in (6.31, 15.8):
        assert ("one notch at a time, for the first mean below 0.5"
                in lrcourse.check("07.3", wrong).message)


SERIES = [0.0158, 0.0398, 0.0631, 0.158, 0.251, 0.631]  # batch sizes 5 to 160


def test_the_rate_reaching_0_4_grows_with_every_doubling(bands):
    rates = [bands.sweeps[bs].first_below() for bs in (5, 10, 20, 40, 80, 160)]
    assert all(b > a for a, b in zip(rates, rates[1:])), rates
    assert [float(f"{r:.3g}") for r in rates] == SERIES
    assert rates[-2] / rates[0] == pytest.approx(10 ** 1.2)  # 16x batch: 15.8x
    assert bands.sweeps[320].first_below() is None


# -- what holds over seeds: the near-best bands --------------------------------------

def test_band_upper_end_never_above_1(bands):
    highs = [sw.band[1] for sw in bands.sweeps.values()]
    assert all(0.39 < h <= 1.0 + 1e-9 for h in highs), highs  # below the cliff
    assert bands.sweeps[10].band == pytest.approx((0.158, 0.631), rel=5e-3)


def test_upper_end_moves_two_notches_and_the_cliff_about_as_much(bands):
    # "0.398 at batch size 5, 0.631 at 10 and 20, 1 at 40 to 160"
    highs = [bands.sweeps[bs].band[1] for bs in (5, 10, 20, 40, 80, 160)]
    assert highs == pytest.approx([0.398, 0.631, 0.631, 1, 1, 1], rel=5e-3)
    # "the first seed's ReLUs die at 0.631 at batch size 5, at 1 at 10 and 20,
    # at 1.58 at 40 to 160"
    first_dead = [next(r for r in GRID if _dead(bands, bs, r) > 0)
                  for bs in (5, 10, 20, 40, 80, 160)]
    assert first_dead == pytest.approx([0.631, 1, 1, 1.58, 1.58, 1.58], rel=5e-3)


def test_past_1_the_mean_rises_to_between_0_7_and_1_2(bands):
    sw = bands.sweeps[10]
    past = sw.mean[sw.lrs > 1.01]
    assert np.all((past > 0.7) & (past < 1.2)) and np.all(np.diff(past) > 0), past


def test_band_claims_hold_for_other_seeds(bands):
    other = NearBestBands(seeds=OTHER_SEEDS)
    for bs, sw in other.sweeps.items():
        assert sw.band[1] <= 1.0 + 1e-9, bs  # the upper end, every batch size
        assert sw.first_below() == bands.sweeps[bs].first_below() or bs == 160
    assert other.sweeps[10].band == pytest.approx((0.1, 0.631), rel=5e-3)
    # at batch size 5 the band shrinks to one notch for seeds 5-9
    assert other.sweeps[5].band == pytest.approx((0.251, 0.251), rel=5e-3)
    assert bands.sweeps[5].band == pytest.approx((0.1, 0.398), rel=5e-3)
    # at 160 the mean of seeds 5-9 stops just above 0.4
    assert other.sweeps[160].first_below() is None
    assert 0.4 < np.nanmin(other.sweeps[160].mean) < 0.43
    assert np.nanmin(other.sweeps[320].mean) > 0.45
    notch = 10 ** SWEEP_GRID[2]
    for bs in (5, 10, 20, 40, 80):  # single seeds: the same notch or one below
        mean = bands.sweeps[bs].first_below()
        for sw in (bands.sweeps[bs], other.sweeps[bs]):
            for r in sw.first_below_per_seed():
                assert mean / notch * 0.999 <= r <= mean * 1.001, (bs, r)
    singles = (bands.sweeps[160].first_below_per_seed()
               + other.sweeps[160].first_below_per_seed())
    assert sum(r is None for r in singles) == 1
    assert min(r for r in singles if r) == pytest.approx(0.398, rel=5e-3)
    assert max(r for r in singles if r) == pytest.approx(1.0)


def test_lowest_loss_worsens_and_320_trains_badly(bands):
    lowest = {bs: np.nanmin(sw.mean) for bs, sw in bands.sweeps.items()}
    assert lowest[40] < 0.29 and 0.34 < lowest[160] < 0.36
    assert lowest[320] > 0.5 and lowest[320] > max(
        v for bs, v in lowest.items() if bs != 320) + 0.1
    assert np.all(bands.sweeps[320].val.min(axis=1) > 0.44)  # in every seed


def test_a_single_best_point_is_noise(bands):
    """Each seed's own best rate differs from the others' at most batch sizes."""
    spread = [len(set(np.round(sw.best_per_seed(), 6))) for sw in bands.sweeps.values()]
    assert sum(n >= 2 for n in spread) >= 6, spread
    notches = [round(np.log10(max(b) / min(b)) / SWEEP_GRID[2]) + 1
               for b in (sw.best_per_seed() for sw in bands.sweeps.values())]
    assert max(notches) == 4, notches  # "spread over up to four notches"


def test_past_the_band_the_relus_die_in_every_seed(sweep):
    text = sweep.set(batch_size=40, lr=3.98)
    assert ("every seed: stalled: dead ReLUs, the output no longer depends on "
            "age, loss >= 0.693 (a constant guess's)") in text
    sw = sweep.compute.sweeps[40]
    assert np.all(sw.val[:, -1] >= constant_loss(TrialSplit(seed=0).y_val))
    _ = sweep.set(batch_size=10, lr=0.1)


def _dead(bands, batch_size, lr):
    sw = bands.sweeps[batch_size]
    i = int(np.argmin(abs(np.log10(GRID / lr))))
    return sum("dead ReLUs" in o[i] for o in sw.outcomes)


def test_a_notch_or_two_past_the_band_the_relus_start_to_die(bands):
    # "at 1.58 in every seed at batch size 10 and in 2 of 5 at 80 (at 1, already
    # in 2 of 5 at batch size 10); from 2.51 up in every seed at batch sizes 5 to 80"
    assert _dead(bands, 10, 1.58) == 5 and _dead(bands, 80, 1.58) == 2
    assert _dead(bands, 10, 1.0) == 2
    for bs in (5, 10, 20, 40, 80):
        assert _dead(bands, bs, 2.51) == 5 and _dead(bands, bs, 3.98) == 5, bs


def test_barely_moved_runs_read_still_learning(sweep):
    text = sweep.set(batch_size=10, lr=0.001)
    assert ("every seed: still learning: loss above a constant guess's 0.693"
            in text)
    sw = sweep.compute.sweeps[10]
    bound = constant_loss(TrialSplit(seed=0).y_val)
    assert np.all(sw.val[:, 0] > bound) and np.all(sw.val[:, 10] < bound)
    _ = sweep.set(batch_size=10, lr=0.1)


SETTINGS = {"sgd": ("reference", "sgd"), "adam": ("reference", "adam"),
            "small": ("4-unit", "sgd")}


@pytest.mark.parametrize("seeds", [SEEDS, OTHER_SEEDS])
def test_other_optimizer_and_model_have_bands_of_their_own(seeds):
    others = BandComparison(SETTINGS, seeds=seeds)
    sgd, adam, small = (others.sweeps[k].band for k in ("sgd", "adam", "small"))
    assert adam[1] < sgd[0]  # Adam's band lies entirely below SGD's
    # the small net's upper end reaches only the reference band's low end
    assert small[0] < sgd[0] <= small[1] < sgd[1]


def test_adam_kills_the_relus_at_0_398_in_8_of_10_seeds():
    i = int(np.argmin(np.abs(GRID - 0.398)))
    five = BandComparison(SETTINGS, seeds=SEEDS)
    assert np.all(five.sweeps["adam"].val[:, i] > LN2)  # every one of seeds 0-4
    assert five.loss_at("adam", 0.398) > LN2
    assert five.sweeps["adam"].band == pytest.approx((0.00631, 0.1), rel=5e-3)
    other = BandComparison(SETTINGS, seeds=OTHER_SEEDS).sweeps["adam"]
    assert sum(other.val[:, i] > LN2) == 3  # seeds 6 and 8 survive
    assert other.band == pytest.approx((0.00251, 0.0398), rel=5e-3)
    j = int(np.argmin(np.abs(GRID - 0.1)))
    assert other.val[2, j] > LN2  # seed 7 dies at steep's 0.1


# -- what holds over seeds: the range test's rules ------------------------------------

def test_choosing_on_validation_beats_every_fixed_rule():
    table = ChoicesOverSeeds(seeds=SEEDS)
    winners = [c.rule for c in table.choices.values()]
    assert len(set(winners)) >= 2  # no rule wins every seed
    assert [winners.count(r) for r in ("steep", "minimum_over_10", "valley")] == [
        2, 2, 1]
    assert table.rule == "minimum_over_10"
    means = {r: round(v, 3) for r, v in table.means.items()}
    assert means == {"valley": 0.297, "steep": 0.457, "minimum_over_10": 0.287}
    assert all(c.scores[c.rule][1] < 0.29 for c in table.choices.values())
    steep = [c.scores["steep"][1] for c in table.choices.values()]
    assert sum(v > LN2 for v in steep) >= 2  # steep kills the ReLUs in some seeds
    valley = [c.scores["valley"][1] for c in table.choices.values()]
    assert max(valley) < 0.32
    assert "chosen" in repr(table)


def test_seed_0_alone_chooses_steep_the_mean_chooses_minimum_over_10():
    chosen = choose_on_validation(["valley", "steep", "minimum_over_10"], seed=0)
    assert chosen.rule == "steep" and chosen.lr == pytest.approx(0.1, rel=1e-6)
    lr = ChoicesOverSeeds(seeds=SEEDS).rate_for(seed=0)
    assert lr == pytest.approx(chosen.scores["minimum_over_10"][0])
    for seeds in (SEEDS, OTHER_SEEDS):  # inside Adam's band for both seed sets
        lo, hi = SeedSweeps(10, seeds, optimizer="adam").band
        assert lo < lr < hi
    data = TrialSplit(seed=0)
    final = lrcourse.reference_model(seed=0)
    final.optimizer.learning_rate = lr
    final.fit(data.X_train, data.y_train, batch_size=10, epochs=5, seed=0)
    val_loss, _ = final.evaluate(*data.validation_data)
    assert val_loss == pytest.approx(chosen.scores["minimum_over_10"][1], rel=1e-6)


def test_rule_scores_match_the_panel(ranged):
    scores = rule_scores(0)
    text = ranged.set(rule="steep")
    assert f"steep {scores['steep'][0]:.3g}" in text
    text = ranged.actions["train"]()
    assert f"final validation loss {scores['steep'][1]:.4f}" in text
    assert set(scores) == set(RULES)


# -- the sweep panel ------------------------------------------------------------

def test_sweep_panel_readout_shows_mean_spread_and_band(sweep):
    text = sweep.set(batch_size=10, lr=float(GRID[10]))
    sw = sweep.compute.sweeps[10]
    assert f"final validation loss {sw.mean[10]:.4f} (mean of 5 seeds;" in text
    assert f"{sw.val[:, 10].min():.4f} to {sw.val[:, 10].max():.4f}" in text
    assert "168 updates per epoch, 840 in 5 epochs (plain SGD, 5 seeds)" in text
    assert "near-best band (mean within 5% of the lowest, 0.2832): 0.158 to 0.631" \
        in text
    assert "every seed: trained" in text


def test_sweep_panel_names_mixed_outcomes(sweep):
    text = sweep.set(batch_size=320, lr=1.0)
    assert "3 of 5 seeds: trained" in text and "1 of 5 seeds: not learning" in text
    _ = sweep.set(batch_size=10, lr=0.1)


def test_sweep_runs_share_initial_weights_and_batches():
    data = TrialSplit(seed=0)
    both = sweep_on_split(data, [0.01, 0.1], 20, epochs=2)
    one = sweep_on_split(data, [0.1], 20, epochs=2)
    assert np.allclose(both["val_loss"][1], one["val_loss"][0], rtol=1e-9)


def test_seed_sweeps_mean_the_seeds():
    sw = SeedSweeps(10, (0, 1))
    one = sweep_on_split(TrialSplit(seed=0), GRID, 10, seed=1, model_seed=1)
    assert np.allclose(sw.val[1], one["val_loss"][:, -1])
    assert np.allclose(sw.mean, sw.val.mean(axis=0))


@pytest.mark.parametrize("seeds", [(), (1, 1), (0.5,), (True,)])
def test_seed_sweeps_reject_bad_seeds(seeds):
    with pytest.raises(ValueError, match="seeds"):
        SeedSweeps(10, seeds)


def test_sweep_panel_rejects_unknown_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        panels.sweep_panel(batch_size=7)


def test_near_best_band_and_first_below():
    lo, hi = near_best_band(np.array([1.0, 2.0, 3.0, 4.0]),
                            np.array([0.5, 0.31, 0.3, np.nan]))
    assert (lo, hi) == (2.0, 3.0)
    assert near_best_band(np.array([1.0, 2.0]), np.array([0.33, 0.3])) == (2.0, 2.0)
    assert first_below([1.0, 2.0], [0.5, 0.45], level=0.4) is None


# -- the range-test panel -------------------------------------------------------

def test_range_panel_suggestions_and_training(ranged):
    data = TrialSplit(seed=0)
    r = range_test(lrcourse.reference_model(seed=0), data.X_train, data.y_train,
                   batch_size=10, seed=0)
    s = r.suggestions()
    text = ranged.set(rule="steep")
    assert f"steep {s['steep']:.3g}" in text and "ran all 100 batches" in text


def test_range_panel_opens_with_the_default_rule_trained():
    fresh = panels.range_test_panel(rule="minimum_over_10", batch_size=10,
                                    num_it=100, epochs=5, seed=0)
    assert list(fresh.compute.trained) == ["minimum_over_10"]
    right = fresh.fig.axes[1]
    drawn = [ln for ln in right.get_lines() if len(ln.get_xdata()) == 5]
    assert len(drawn) == 1  # the PNG fallback shows a curve, not empty axes
    assert "minimum/10  lr" in fresh.readout_text
    assert "press 'Train with this rate'" not in fresh.readout_text
    assert "Adam" in fresh.fig.axes[0].get_title()


def test_range_panel_legend_lists_only_trained_rules():
    fresh = panels.range_test_panel(rule="valley", batch_size=10, num_it=100,
                                    epochs=5, seed=0)
    def names():
        return [t.get_text() for t in fresh.fig.axes[1].get_legend().get_texts()]
    assert names() == ["valley"]
    fresh.set(rule="steep")
    fresh.actions["train"]()
    assert names() == ["valley", "steep"]


def test_range_panel_rejects_unknown_rule():
    with pytest.raises(ValueError, match="rule"):
        panels.range_test_panel(rule="median")


# -- the key figure ---------------------------------------------------------------

def test_key_figure_is_one_optimizer_and_fits_a_column(bands):
    fig = figures.key_figure(bands, compare=(10, 40, 160))
    png = png_bytes(fig)
    width = int.from_bytes(png[16:20], "big")
    assert 600 <= width <= 900
    titles = [ax.get_title() for ax in fig.axes]
    assert all("SGD" in t for t in titles) and not any("Adam" in t for t in titles)
    legends = [*fig.legends, fig.axes[1].get_legend()]
    for legend in legends:
        labels = [t.get_text() for t in legend.get_texts()]
        assert labels and all(labels)
    _legends_clear_of_the_axes(fig)


def _legends_clear_of_the_axes(fig):
    """A figure legend covers no axes (it would hide curves and ticks)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), ax.get_title()


# -- compute, readout and view, without widgets ---------------------------------------

@pytest.fixture(scope="module")
def table():
    from lrcourse.lessons.lesson07.analysis import SweepTable

    return SweepTable((10, 80), epochs=5, optimizer="sgd")


def test_sweep_compute_and_readout_without_widgets(table):
    from lrcourse.lessons.lesson07.analysis import sweep_readout

    point = table(lr=0.11, batch_size=10)  # the grid rate nearest: 0.1
    assert point.lr == pytest.approx(0.1) and point.sweeps is table.sweeps[10]
    text = sweep_readout(point)
    assert "168 updates per epoch, 840 in 5 epochs (plain SGD, 5 seeds)" in text
    far = sweep_readout(table(lr=float(GRID[17]), batch_size=80))
    assert "stalled: dead ReLUs" in far and "0.631 to 1" in far
    with pytest.raises(ValueError, match="batch_size"):
        table(lr=0.1, batch_size=20)


def test_range_compute_trains_on_demand_and_reads_out():
    from lrcourse.lessons.lesson07.analysis import RangeTests, range_readout

    tests = RangeTests(batch_size=10, num_it=100, epochs=5, seed=0)
    before = tests(rule="steep")
    assert "press 'Train with this rate'" in range_readout(before)
    phrase = tests.train("steep")
    assert phrase.startswith("final validation loss")
    after = tests(rule="steep")
    assert before.trained == {} and list(after.trained) == ["steep"]
    assert f"  steep       lr 0.1      {phrase}" in range_readout(after)
    with pytest.raises(ValueError, match="rule"):
        tests.train("median")


def test_views_move_their_artists_and_make_no_new_ones(table, ranged, agg_figure):
    ref = table.sweeps[10].mean
    view = figures.SweepView(table.lrs, ref, 5, figure=agg_figure)
    before = [len(ax.lines) for ax in view.fig.axes]
    view.update(table(lr=0.1, batch_size=80))
    curve = view.curve.get_ydata()
    view.update(table(lr=1.0, batch_size=80))
    assert view.curve.get_ydata() is curve  # same batch size: not redrawn
    assert view.title.get_text() == "lr = 1, batch size 80"
    lo, hi = view.band.get_xdata()
    assert (lo, hi) == pytest.approx((0.631, 1.0), rel=5e-3)  # grid points
    assert [len(ax.lines) for ax in view.fig.axes] == before
    _legends_clear_of_the_axes(view.fig)
    view = figures.RangeView(ranged.compute.result, 5, figure=agg_figure)
    view.update(ranged.result)
    drawn = [r for r, line in view.lines.items() if len(line.get_xdata())]
    assert drawn == list(ranged.result.curves)
