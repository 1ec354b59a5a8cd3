/**
 * contract/csv (the one CSV writer: RFC 4180 quoting, formula neutralisation) and contract/format (percentages,
 * mean ± std, durations), checked against hand-written expected strings.
 */
import { describe, expect, it } from 'vitest'
import {
  csvCell,
  csvLine,
  duration,
  numMeanStd,
  pctMeanStd,
  percent,
  percentNumber,
  pointsDiff,
  pValue,
  roughDuration,
  toCsv
} from '../../../main/contract/index.ts'

describe('csvCell', () => {
  it('quotes per RFC 4180: commas, quotes (doubled), CR and LF', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"')
    expect(csvCell('')).toBe('')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
  })

  it('neutralises text a spreadsheet would run as a formula: = + - @ tab CR get an apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+cmd|calc')).toBe("'+cmd|calc")
    expect(csvCell('-2+3+cmd|calc')).toBe("'-2+3+cmd|calc")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tx')).toBe("'\tx")
    expect(csvCell('\rx')).toBe(`"'\rx"`)
    expect(csvCell('a=b')).toBe('a=b')
  })

  it('writes numbers and text that is a plain number as they are', () => {
    expect(csvCell(-0.5)).toBe('-0.5')
    expect(csvCell(1e-7)).toBe('1e-7')
    expect(csvCell(Number.NaN)).toBe('NaN')
    expect(csvCell(true)).toBe('true')
    expect(csvCell('-1')).toBe('-1')
    expect(csvCell('+2.5e3')).toBe('+2.5e3')
    expect(csvCell('-.5')).toBe('-.5')
    expect(csvCell('-1 ')).toBe("'-1 ")
  })

  it('lines and documents', () => {
    expect(csvLine(['a', 1, null, '=1'])).toBe("a,1,,'=1")
    expect(toCsv(['x', 'y'], [[1, 'b,c']])).toBe('x,y\r\n1,"b,c"\r\n')
    expect(toCsv(['x'], [], '\n')).toBe('x\n')
  })
})

describe('format', () => {
  it('percentages', () => {
    expect(percent(0.9512)).toBe('95.1 %')
    expect(percent(0.9512, 2)).toBe('95.12 %')
    expect(percentNumber(0.9512)).toBe('95.1')
    expect(percent(null)).toBe('—')
    expect(percent(Number.NaN)).toBe('—')
  })

  it('mean ± std: the spread only when there are replicates', () => {
    expect(pctMeanStd({ mean: 0.951, std: 0.004, n: 6 })).toBe('95.1 ± 0.4 %')
    expect(pctMeanStd({ mean: 0.951, std: 0.004, n: 6 }, { unit: false })).toBe('95.1 ± 0.4')
    expect(pctMeanStd({ mean: 0.951, std: 0, n: 1 })).toBe('95.1 %')
    expect(pctMeanStd({ mean: 0.951, std: 0.004 })).toBe('95.1 ± 0.4 %')
    expect(pctMeanStd(null)).toBe('—')
    expect(numMeanStd({ mean: 1.234, std: 0.05, n: 3 }, 's')).toBe('1.23 ± 0.05 s')
    expect(numMeanStd({ mean: 1.234, std: 0, n: 1 })).toBe('1.23')
  })

  it('durations: measured and rough', () => {
    expect(duration(4.23)).toBe('4.2 s')
    expect(duration(42.4)).toBe('42 s')
    expect(duration(59.7)).toBe('1 min 0 s')
    expect(duration(123)).toBe('2 min 3 s')
    expect(duration(3900)).toBe('1 h 5 min')
    expect(duration(undefined)).toBe('—')
    expect(roughDuration(0.2)).toBe('1 s')
    expect(roughDuration(40.4)).toBe('40 s')
    expect(roughDuration(59.6)).toBe('1 min')
    expect(roughDuration(12 * 60 + 10)).toBe('12 min')
    expect(roughDuration(3590)).toBe('1 h 0 min')
    expect(roughDuration(3900)).toBe('1 h 5 min')
  })
})

describe('test statistics', () => {
  it('p-values and differences in points', () => {
    expect(pValue(0.03121)).toBe('0.0312')
    expect(pValue(3.14e-5)).toBe('3.1e-5')
    expect(pValue(null)).toBe('—')
    expect(pointsDiff(0.006)).toBe('+0.6 pts')
    expect(pointsDiff(-0.0123)).toBe('-1.2 pts')
    expect(pointsDiff(0)).toBe('+0.0 pts')
  })
})
