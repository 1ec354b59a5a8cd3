/**
 * Builds one typed column while rows stream in: numbers go straight into a Float64Array; the first cell that
 * is not a number switches the column to dictionary codes (earlier numbers become their text). This keeps a
 * million numeric rows at 8 bytes a cell instead of a string each.
 */
import { isMissingToken, parseNumber, type Column } from '../table.ts'

const DECIMAL_COMMA = /^\s*[-+]?\d*,\d+\s*$/

export interface ColumnStats {
  missing: number
  numeric: number
  text: number
  /** First non-numeric value and its line, to explain a "mixed types" warning. */
  firstText?: { value: string; line: number }
  firstNumber?: { value: string; line: number }
}

/** Trims a grown buffer: a copy when much of it is unused, a view (no second copy in memory) otherwise. */
function fit<T extends Float64Array | Int32Array>(a: T, n: number): T {
  return (n >= a.length * 0.75 ? a.subarray(0, n) : a.slice(0, n)) as T
}

export class ColumnBuilder {
  readonly stats: ColumnStats = { missing: 0, numeric: 0, text: 0 }
  private nums: Float64Array | null = new Float64Array(1024)
  private codes: Int32Array | null = null
  private dict: Map<string, number> | null = null
  private levels: string[] = []
  private n = 0

  constructor(
    readonly name: string,
    private readonly decimalComma = false
  ) {}

  push(raw: string, line: number): void {
    if (this.n === (this.nums ?? this.codes)!.length) this.grow()
    if (isMissingToken(raw)) {
      this.stats.missing++
      if (this.nums) this.nums[this.n++] = NaN
      else this.codes![this.n++] = -1
      return
    }
    let v = parseNumber(raw)
    if (Number.isNaN(v) && this.decimalComma && DECIMAL_COMMA.test(raw)) v = parseNumber(raw.replace(',', '.'))
    if (Number.isNaN(v)) {
      this.stats.text++
      if (!this.stats.firstText) this.stats.firstText = { value: raw.trim(), line }
      if (this.nums) this.toCategorical()
      this.codes![this.n++] = this.code(raw.trim())
      return
    }
    this.stats.numeric++
    if (!this.stats.firstNumber) this.stats.firstNumber = { value: raw.trim(), line }
    if (this.nums) this.nums[this.n++] = v
    // numbers in a text column use their canonical text, like the numbers seen before the switch
    else this.codes![this.n++] = this.code(String(v))
  }

  get length(): number {
    return this.n
  }

  finish(): Column {
    if (this.nums) return { kind: 'num', name: this.name, values: fit(this.nums, this.n) }
    return { kind: 'cat', name: this.name, codes: fit(this.codes!, this.n), levels: this.levels }
  }

  private code(s: string): number {
    let c = this.dict!.get(s)
    if (c === undefined) {
      c = this.levels.length
      this.levels.push(s)
      this.dict!.set(s, c)
    }
    return c
  }

  private grow(): void {
    if (this.nums) {
      const next = new Float64Array(this.nums.length * 2)
      next.set(this.nums)
      this.nums = next
    } else {
      const next = new Int32Array(this.codes!.length * 2)
      next.set(this.codes!)
      this.codes = next
    }
  }

  private toCategorical(): void {
    const nums = this.nums!
    this.dict = new Map()
    this.codes = new Int32Array(nums.length)
    for (let i = 0; i < this.n; i++) {
      const v = nums[i]
      this.codes[i] = Number.isNaN(v) ? -1 : this.code(String(v))
    }
    this.nums = null
  }
}
