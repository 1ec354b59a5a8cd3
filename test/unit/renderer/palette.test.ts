import { describe, expect, it } from 'vitest'
import { PALETTE, deltaE, entryColor, hexToLab } from '../../../renderer/src/lib/palette.ts'

function minPairwise(colours: string[]): number {
  let m = Infinity
  for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) m = Math.min(m, deltaE(colours[i]!, colours[j]!))
  return m
}

describe('entry palette', () => {
  it('ΔE*ab is 0 for one colour and about 100 for black vs white', () => {
    expect(deltaE('#0072B2', '#0072B2')).toBe(0)
    expect(deltaE('#000000', '#FFFFFF')).toBeCloseTo(100, 0)
    expect(hexToLab('#FFFFFF')[0]).toBeCloseTo(100, 1)
  })

  it('keeps 16 colours clearly distinct (ΔE ≥ 25) and starts with Okabe–Ito', () => {
    const first = Array.from({ length: 16 }, (_, i) => entryColor(i))
    expect(first.slice(0, 6)).toEqual(['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'])
    expect(first).toEqual([...PALETTE])
    expect(minPairwise(first)).toBeGreaterThanOrEqual(25)
  })

  it('never repeats a colour past the list and stays distinct for 32 models (ΔE ≥ 18)', () => {
    const many = Array.from({ length: 32 }, (_, i) => entryColor(i))
    expect(new Set(many).size).toBe(32)
    expect(minPairwise(many)).toBeGreaterThanOrEqual(18)
    for (const c of many) expect(c).toMatch(/^#[0-9A-F]{6}$/)
    // The same index always gets the same colour (table, charts and masks agree).
    expect(entryColor(20)).toBe(many[20])
  })

  it('every colour shows on the light and the dark card (lightness between 30 and 90)', () => {
    for (let i = 0; i < 32; i++) {
      const l = hexToLab(entryColor(i))[0]
      expect(l, entryColor(i)).toBeGreaterThan(30)
      expect(l, entryColor(i)).toBeLessThan(90)
    }
  })
})
