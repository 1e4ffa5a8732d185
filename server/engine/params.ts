/**
 * The engine model's constants. Each is a property of Elastic's anomaly detector (ml-cpp) as
 * measured on the calibration cases (test/calibration: one detector shape, one thing varied, the
 * real engine's scores); `scripts/fit_engine.ts` fits them and the calibration test guards them.
 * They describe behaviour, not cases: e.g. "a never-seen value gains ~30 points per decade of
 * value-buckets of history", "k novelties in one bucket lose ~11 ln k points each".
 */
export interface EngineParams {
  rare: {
    /** Latent score of a never-seen value: base + perDecade * log10(value-buckets of history) + perValueDecade * log10(effective values). */
    base: number;
    partitionedBase: number;
    perDecade: number;
    perValueDecade: number;
    /** Partitioned jobs gain less from a varied partition: perValueDecade for them. */
    partitionedPerValueDecade: number;
    /** k new values in the bucket (same partition): - competeLin ln k - competeSq (ln k)^2. */
    competeLin: number;
    competeSq: number;
    /** Earlier novelties of the partition (after its first day): - priorScale * n^priorPow. */
    priorScale: number;
    priorPow: number;
    /** A value already seen in s earlier buckets: - seenScale * s^seenPow. */
    seenScale: number;
    seenPow: number;
    /** Histories longer than two weeks: + perDayDecade * log10(min(days, dayTermCapDays) / 14) (partitioned: partitionedPerDayDecade). */
    perDayDecade: number;
    partitionedPerDayDecade: number;
    /**
     * Days after which a longer history adds only its observations (value-buckets), not the day
     * term: 200 events a day score 66 after 14 days, 76 after 30 and 84 after 60, so the second
     * month adds less than the first (without the cap the model gave 89.5 at 60 days).
     */
    dayTermCapDays: number;
    /** Longer buckets: - spanPerDecade * log10(span / 15 min). */
    spanPerDecade: number;
    /** Days of partition history before any result is scored. */
    minDays: number;
  };
  count: {
    /** Log-space count model: z = (ln((x+c)/(mu+c)) - level) / sqrt(sigma^2 + floor), sigma the series' own error spread. */
    c: number;
    floor: number;
    /** Gain of the level that follows recent residuals (a held spike loses score). */
    levelGain: number;
    /** Score = max * logistic((z - z0) / width), zero below `minScore`. */
    z0: number;
    width: number;
    max: number;
    minScore: number;
    /** History (days) at which the daily profile is trusted: weight 1 - exp(-days / profileDays). */
    profileDays: number;
    /** Profile smoothing: weight of each neighbouring slot. */
    smooth: number;
    /** A by/partition series needs this many non-empty buckets of history to be scored. */
    minSeriesBuckets: number;
    /** Weekend with a weekday/weekend pattern learnt over less than this many days: not scored. */
    weeklyDays: number;
    /** Small counts: the score is capped by max * logistic((za - smallZ0) / smallWidth), za the
     * Anscombe (Poisson) distance 2(sqrt(x + 3/8) - sqrt(mu + 3/8)): 10 events where 2 are usual
     * is not yet a sure anomaly. */
    smallZ0: number;
    smallWidth: number;
    /** Variance of a distinct count relative to a count (it is less noisy: < 1). */
    distinctVar: number;
    /** How fast the daily profile follows new days (exponential weight per observation of a slot). */
    slotGain: number;
    /**
     * Outliers teach the model little. The engine weighs each new value by how improbable it is
     * before it updates its seasonal profile and its residual model: weight 1 up to a tail
     * probability of 1e-3 (|z| = `outlierFromZ`), falling to `outlierMinWeight` at 1e-5
     * (`outlierToZ`) and beyond (elastic/ml-cpp, CTimeSeriesModel: the outlier weight; here the
     * log of the weight is linear in z between the two). So a x60 logon burst does not raise the
     * next day's expectation at that hour, or its neighbours'. The calibration's figures do not
     * move with it (a fixed cap at 10x gave the same fit): it matters after huge bursts.
     */
    outlierFromZ: number;
    outlierToZ: number;
    outlierMinWeight: number;
    /**
     * A repeat: an anomaly like one the series has had before scores `repeatFactor` of its score
     * (calibration count prior=24: a second x5 spike a day after the first, 69 (4-82) against 94;
     * issue #8: the later of two equal anomalies 74.6 after 92.5). The engine learns each ended
     * anomaly, its length and size (elastic/ml-cpp, the anomaly model in CTimeSeriesModel), so
     * the penalty fades as the new deviation (log ratio) exceeds the largest earlier one, gone at
     * `repeatGrowth` more (no calibration case: a guess). An anomaly is a run of buckets scored
     * `repeatMinScore` or more.
     */
    repeatFactor: number;
    repeatGrowth: number;
    repeatMinScore: number;
    /** The score of a series with d days of history is at most max * (1 - exp(-d / youngDays)) / (1 - exp(-youngFullDays / youngDays)), full from youngFullDays. */
    youngDays: number;
    youngFullDays: number;
  };
  time: {
    z0: number;
    width: number;
    max: number;
    minScore: number;
    /** Weight of the empirical tail (hours to the nearest earlier time) against the normal z. */
    gapWeight: number;
    minObservations: number;
  };
  info: {
    /** Score = max * logistic((ln(actual / population high) - r0) / width) * history factor. */
    r0: number;
    width: number;
    max: number;
    /** Kept results the normaliser needs before scores mean anything: factor n / (n + halfKept). */
    halfKept: number;
    quantile: number;
    minScore: number;
  };
}

export const DEFAULT_PARAMS: EngineParams = {
  rare: {
    base: -35,
    partitionedBase: -29,
    perDecade: 29,
    perValueDecade: 12,
    partitionedPerValueDecade: 4,
    competeLin: 11.25,
    competeSq: 0.5,
    priorScale: 4.5,
    priorPow: 0.65,
    seenScale: 6,
    seenPow: 1.5,
    perDayDecade: 21,
    partitionedPerDayDecade: 15,
    dayTermCapDays: 30,
    spanPerDecade: 0,
    minDays: 1,
  },
  count: {
    c: 1.4,
    floor: 0.07,
    levelGain: 0.05,
    z0: 2.4,
    width: 0.1,
    max: 96,
    minScore: 6,
    profileDays: 3.2,
    smooth: 0.45,
    minSeriesBuckets: 10,
    weeklyDays: 21,
    smallZ0: 2.3,
    smallWidth: 1.0,
    distinctVar: 0.8,
    slotGain: 0.1,
    outlierFromZ: 3.09,
    outlierToZ: 4.26,
    outlierMinWeight: 0.01,
    repeatFactor: 0.72,
    repeatGrowth: 0.7,
    repeatMinScore: 90,
    youngDays: 2.5,
    youngFullDays: 7,
  },
  time: { z0: 3.68, width: 0.675, max: 95, minScore: 5, gapWeight: 0.28, minObservations: 10 },
  info: { r0: 0.8, width: 0.15, max: 98, halfKept: 28, quantile: 0.999, minScore: 5 },
};
