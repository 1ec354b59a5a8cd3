/** The dataset facts the contract words once: a file's default dataset name, the published split, each format's name. */
import { describe, expect, it } from 'vitest'
import { DATA_FORMAT_LABELS, DataFormat, nameFromFile, publishedSplitText } from '../../../main/contract/index.ts'

describe('dataset facts', () => {
  it('a default name drops every archive and format extension, from a file name or a path', () => {
    const cases: [string, string][] = [
      ['iris.csv', 'iris'],
      ['x.arff.gz', 'x'],
      ['weather.csv.gz', 'weather'],
      ['cifar-10-binary.tar.gz', 'cifar-10-binary'],
      ['svhn.tgz', 'svhn'],
      ['/data/train_32x32.mat', 'train_32x32'],
      ['C:\\data\\types.snappy.parquet', 'types.snappy'],
      ['/data/cifar-10-batches-bin/', 'cifar-10-batches-bin'],
      ['.hidden', '.hidden'],
      ['README', 'README']
    ]
    for (const [file, name] of cases) expect(nameFromFile(file), file).toBe(name)
  })

  it('the published split in words, with the rows grouped by thousands', () => {
    expect(publishedSplitText({ train: 50_000, test: 10_000 })).toBe(
      'published split: 50,000 train / 10,000 test kept; validation is cut from train; k-fold off'
    )
  })

  it('every format has a name', () => {
    expect(Object.keys(DATA_FORMAT_LABELS).sort()).toEqual([...DataFormat.options].sort())
  })
})
