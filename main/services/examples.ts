/** The example datasets shipped in resources/examples, plus Fashion-MNIST when Debian's package is installed. */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ExampleDataset } from '../contract/index.ts'
import { examplesDir } from './paths.ts'

const DESCRIPTIONS: Record<string, { title: string; description: string; imageShape?: [number, number, number] }> = {
  'iris.csv': { title: 'Iris', description: '150 flowers × 4 measurements, 3 species. Trains in seconds.' },
  'wine.csv': { title: 'Wine', description: '178 wines × 13 chemical measurements, 3 cultivars.' },
  'breast_cancer.csv': { title: 'Breast cancer', description: '569 biopsies × 30 features, malignant vs benign.' },
  'digits_8x8.csv': { title: 'Digits 8×8', description: '1,797 handwritten digits as 8×8 images, 10 classes.', imageShape: [8, 8, 1] },
  'penguins.csv': { title: 'Penguins', description: '344 penguins, mixed numeric/categorical with missing values; species target.' },
  'hpc_jobs.csv': { title: 'HPC jobs', description: '4,331 compute jobs × 7 mixed features, 4 imbalanced run-time classes.' }
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

export function listExamples(): ExampleDataset[] {
  const dir = examplesDir()
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.csv'))
        .sort()
    : []
  const out: ExampleDataset[] = files.map((file) => {
    const d = DESCRIPTIONS[file]
    return {
      file,
      title: d?.title ?? file,
      description: d?.description ?? '',
      path: join(dir, file),
      imageShape: d?.imageShape ?? null
    }
  })
  const fm = join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')
  if (existsSync(fm)) {
    out.push({
      file: 't10k-images-idx3-ubyte.gz',
      title: 'Fashion-MNIST (test set)',
      description: '10,000 grey 28×28 clothing images, 10 classes (Debian dataset-fashion-mnist).',
      path: fm,
      imageShape: [28, 28, 1]
    })
  }
  return out
}
