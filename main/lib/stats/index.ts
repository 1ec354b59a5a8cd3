/**
 * Statistics for comparing models, as pure functions (no app imports), tested against SciPy values
 * (test/fixtures/stats/). Within a dataset: paired t-test over seeds, corrected resampled t-test for repeated CV.
 * Across datasets (Demšar 2006): Wilcoxon signed-rank vs a baseline with Holm's correction, win/tie/loss counts,
 * average ranks, Friedman (+ Iman–Davenport) and the Nemenyi critical difference.
 */
export { mean, variance, rankAverage } from './describe.ts'
export { pairedTTest, correctedResampledTTest, type TTestResult } from './ttest.ts'
export { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.ts'
export { holm, winTieLoss, type HolmResult, type WinTieLoss } from './multiple.ts'
export { rankRows, averageRanks, friedman, nemenyiCriticalDifference, type FriedmanResult, type NemenyiResult } from './ranks.ts'
export { studentizedRangeCdfInf, studentizedRangeQuantileInf } from './studentized.ts'
