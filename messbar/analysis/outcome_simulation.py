"""Simulated weekly series for checking :mod:`outcome_linkage` (tests and bench): a growing
business whose outcome follows one activity measure ``lag`` weeks later, or follows nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from messbar.analysis import outcome_linkage as ol


@dataclass(frozen=True)
class Scenario:
    weeks: int = 60
    effect: float = 0.0  # outcome SDs of noise per activity SD (0 = no effect)
    lag: int = 2
    rho_activity: float = 0.3  # week-to-week autocorrelation of the activity
    rho_noise: float = 0.3  # of the outcome's noise
    measures: int = 4  # activity measures tested together (one carries the effect)


def _ar1(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    shocks = rng.standard_normal(n)
    series = np.empty(n)
    series[0] = shocks[0] / np.sqrt(1 - rho**2)
    for t in range(1, n):
        series[t] = rho * series[t - 1] + shocks[t]
    return series * np.sqrt(1 - rho**2)  # unit variance


def simulate(rng: np.random.Generator, scenario: Scenario) -> tuple[np.ndarray, list[np.ndarray]]:
    """(outcome, activity measures): measure 0 drives the outcome at ``scenario.lag``."""
    n = scenario.weeks
    t = np.arange(n)
    measures = [
        100 + 0.5 * t + 30 * _ar1(rng, n, scenario.rho_activity) for _ in range(scenario.measures)
    ]
    driver = (measures[0] - measures[0].mean()) / measures[0].std()
    lagged = np.concatenate([np.zeros(scenario.lag), driver[: n - scenario.lag]])
    outcome = 20 + 0.1 * t + 3 * (_ar1(rng, n, scenario.rho_noise) + scenario.effect * lagged)
    return outcome, measures


def verdicts(outcome: np.ndarray, measures: list[np.ndarray]) -> list[list[str]]:
    """Verdict per measure and lag, Benjamini-Hochberg over all of them (as in the mart)."""
    estimates = [ol.fit_lags(outcome, x) for x in measures]
    flat = [e for per_measure in estimates for e in per_measure]
    adjusted = ol.benjamini_hochberg(e.p_value for e in flat)
    words = [ol.verdict(e.weeks_used, p) for e, p in zip(flat, adjusted, strict=True)]
    return [words[i : i + len(ol.LAGS)] for i in range(0, len(words), len(ol.LAGS))]


def rates(scenario: Scenario, runs: int = 200, seed: int = 7) -> dict[str, float]:
    """Over ``runs`` simulated datasets: how often the planted lag of measure 0 is detected,
    how often any other measure or lag is (false discoveries), the share of single tests with
    a raw p < 0.05, and how often a dataset shows any detection at all."""
    rng = np.random.default_rng(seed)
    right = wrong = anywhere = 0
    raw_hits = raw_tests = 0
    for _ in range(runs):
        outcome, measures = simulate(rng, scenario)
        words = verdicts(outcome, measures)
        for m, x in enumerate(measures):
            for estimate in ol.fit_lags(outcome, x):
                if estimate.p_value is not None and not (
                    scenario.effect and m == 0 and estimate.lag == scenario.lag
                ):
                    raw_tests += 1
                    raw_hits += estimate.p_value < ol.ALPHA
        planted = bool(scenario.effect) and words[0][scenario.lag] == ol.EFFECT
        others = sum(
            w == ol.EFFECT
            for m, per_measure in enumerate(words)
            for k, w in enumerate(per_measure)
            if not (scenario.effect and m == 0 and k == scenario.lag)
        )
        right += planted
        wrong += others > 0
        anywhere += planted or others > 0
    return {
        "detected_at_planted_lag": right / runs,
        "datasets_with_false_detection": wrong / runs,
        "datasets_with_any_detection": anywhere / runs,
        "raw_false_positive_rate": raw_hits / max(raw_tests, 1),
    }
